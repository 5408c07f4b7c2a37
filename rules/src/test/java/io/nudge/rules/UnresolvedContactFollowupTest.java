package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class UnresolvedContactFollowupTest {
  private static final double DAY = 86_400;

  @Test
  void openCaseFromAPhoneCallTwoDaysAgo_nextVisitOffersChatWithThatQueue_contextNamesTheCase() {
    Scenario s = new Scenario()
        .interaction("ida", "call", 2 * DAY, "case-42", "billing", false, 0)
        .page("ida", "/account");

    assertThat(s.fired()).containsExactly("unresolved-contact-followup");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.PROACTIVE_CHAT);
      assertThat(e.fields()).containsEntry("queue", "billing");
      assertThat(e.context()).containsEntry("openCases", List.of("case-42"));
      @SuppressWarnings("unchecked")
      Map<String, Object> last = (Map<String, Object>) e.context().get("lastContact");
      assertThat(last).containsEntry("channel", "call").containsEntry("caseId", "case-42")
          .containsEntry("queue", "billing").containsEntry("resolved", false);
    });
  }

  @Test
  void onlyOncePerVisit_howeverManyPages() {
    Scenario s = new Scenario().interaction("ida", "chat", DAY, "case-1", "support", false, 0)
        .page("ida", "/a").page("ida", "/b").page("ida", "/c");

    assertThat(s.fired()).containsExactly("unresolved-contact-followup");
  }

  @Test
  void contactOlderThanSevenDays_doesNotFire() {
    Scenario s = new Scenario().interaction("ida", "call", 8 * DAY, "case-1", "billing", false, 0)
        .page("ida", "/account");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void caseResolvedByALaterContact_doesNotFire() {
    Scenario s = new Scenario()
        .interaction("ida", "call", 3 * DAY, "case-7", "billing", false, 0)
        .interaction("ida", "email", DAY, "case-7", "billing", true, 0)
        .page("ida", "/account");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void resolvedContact_doesNotFire() {
    Scenario s = new Scenario().interaction("ida", "call", DAY, "case-8", "billing", true, 4)
        .page("ida", "/account");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void noWebVisit_noOffer() {
    Scenario s = new Scenario().interaction("ida", "call", DAY, "case-9", "billing", false, 0).elapse(60);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void anotherCustomersContact_doesNotCount() {
    Scenario s = new Scenario().interaction("ida", "call", DAY, "case-9", "billing", false, 0)
        .page("joe", "/account");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void chatDeclinedThisVisit_noOtherChatOfferThisVisit() {
    Scenario s = new Scenario().page("kim", "/products/lamp").addToCart("kim", "lamp", 150, 1)
        .page("kim", "/checkout").elapse(31);
    assertThat(s.fired()).containsExactly("checkout-hesitation");

    s.outcome(s.engagements().get(0), "declined")
        .interaction("kim", "call", DAY, "case-3", "billing", false, 0)
        .page("kim", "/account");

    assertThat(s.fired()).containsExactly("checkout-hesitation");
  }
}
