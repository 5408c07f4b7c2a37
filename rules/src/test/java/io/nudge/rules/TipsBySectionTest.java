package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import org.junit.jupiter.api.Test;

final class TipsBySectionTest {

  @Test
  void pageUnderASection_showsThatSectionsTipOnce() {
    Scenario s = new Scenario().page("ann", "/delivery").elapse(1)
        .page("ann", "/delivery/express").elapse(1).page("ann", "/delivery").elapse(60);

    assertThat(s.fired()).containsExactly("tip-delivery");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.TIP);
      assertThat(e.rule()).isEqualTo("tip-delivery");
      assertThat(e.fields()).containsEntry("title", "Delivery times").containsEntry("body",
          "Orders placed before 2 pm ship the same day; delivery takes 2 to 4 working days.");
    });
  }

  @Test
  void eachSection_hasItsOwnTipOncePerVisit() {
    Scenario s = new Scenario().page("ann", "/returns").elapse(1).page("ann", "/gift-cards/buy").elapse(1)
        .page("ann", "/returns/label").elapse(1).page("ann", "/gift-cards").elapse(1);

    assertThat(s.fired()).containsExactly("tip-returns", "tip-gift-cards");
  }

  @Test
  void pagesOutsideTheSections_showNoTip() {
    Scenario s = new Scenario().page("bob", "/").page("bob", "/help/returns").page("bob", "/products/delivery")
        .page("bob", "/cart").elapse(60);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void newVisit_mayShowTheTipAgain() {
    Scenario s = new Scenario().page("cat", "/returns").elapse(31 * 60).page("cat", "/returns").elapse(1);

    assertThat(s.fired()).containsExactly("tip-returns", "tip-returns");
  }
}
