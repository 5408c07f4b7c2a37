package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import org.junit.jupiter.api.Test;

final class CheckoutHesitationTest {

  private static Scenario fullCartAtCheckout() {
    return new Scenario()
        .page("ann", "/products/lamp")
        .addToCart("ann", "lamp", 120.0, 1)
        .page("ann", "/checkout");
  }

  @Test
  void idleThirtySecondsAtCheckoutWithFullCart_offersSalesChatOnce() {
    Scenario s = fullCartAtCheckout().elapse(29);
    assertThat(s.engagements()).isEmpty();

    s.elapse(2);

    assertThat(s.fired()).containsExactly("checkout-hesitation");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.PROACTIVE_CHAT);
      assertThat(e.rule()).isEqualTo("checkout-hesitation");
      assertThat(e.customerId()).isEqualTo("ann");
      assertThat(e.fields()).containsEntry("queue", "sales");
      assertThat(e.context()).containsEntry("currentPage", "/checkout")
          .containsEntry("reason", "You have spent a while on checkout with items in your cart");
    });
  }

  @Test
  void idleFiresWithoutAnyNewEvent_thenNeverAgainThisVisit() {
    Scenario s = fullCartAtCheckout().elapse(31);
    s.page("ann", "/checkout/payment").elapse(60).page("ann", "/checkout/review").elapse(60);

    assertThat(s.fired()).containsExactly("checkout-hesitation");
    assertThat(s.engagements()).hasSize(1);
  }

  @Test
  void eventWithinThirtySeconds_restartsTheWait() {
    Scenario s = fullCartAtCheckout().elapse(20).page("ann", "/checkout/shipping").elapse(20);
    assertThat(s.engagements()).isEmpty();

    s.elapse(11);

    assertThat(s.engagements()).singleElement()
        .satisfies(e -> assertThat(e.context()).containsEntry("currentPage", "/checkout/shipping"));
  }

  @Test
  void cartUnderOneHundred_doesNotFire() {
    Scenario s = new Scenario().addToCart("bob", "pen", 99.99, 1).page("bob", "/checkout").elapse(120);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void notOnCheckoutPage_doesNotFire() {
    Scenario s = new Scenario().addToCart("bob", "lamp", 150, 1).page("bob", "/cart").elapse(120);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void orderCompleted_doesNotFire() {
    Scenario s = fullCartAtCheckout()
        .track("ann", "Order Completed", java.util.Map.of("order_id", "o1", "total", 120))
        .page("ann", "/checkout/thanks")
        .addToCart("ann", "lamp", 120.0, 1)
        .elapse(120);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void cartFilledLongAfterArrivingAtCheckout_waitsThirtySecondsFromTheLastEvent() {
    Scenario s = new Scenario().page("cat", "/checkout").elapse(300).addToCart("cat", "lamp", 150, 1).elapse(1);
    assertThat(s.fired()).as("must not fire late on the old checkout page view").isEmpty();

    s.elapse(30);

    assertThat(s.fired()).containsExactly("checkout-hesitation");
  }

  @Test
  void twoCustomers_eachGetTheirOwnOffer() {
    Scenario s = fullCartAtCheckout().addToCart("dan", "sofa", 900, 1).page("dan", "/checkout").elapse(31);

    assertThat(s.engagements()).extracting(e -> e.customerId()).containsExactlyInAnyOrder("ann", "dan");
  }

  @Test
  void newVisitAfterThirtyMinutes_mayOfferAgain() {
    Scenario s = fullCartAtCheckout().elapse(31).elapse(31 * 60).page("ann", "/checkout").elapse(31);

    assertThat(s.fired()).containsExactly("checkout-hesitation", "checkout-hesitation");
    assertThat(s.engagements()).hasSize(2);
  }
}
