package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import org.junit.jupiter.api.Test;

final class LowCsatRecoveryTest {
  private static final double DAY = 86_400;

  @Test
  void lastContactRatedTwo_helpPage_offersRecoveryCallback() {
    Scenario s = new Scenario().interaction("lea", "chat", 3 * DAY, "case-5", "support", true, 2)
        .page("lea", "/help/returns");

    assertThat(s.fired()).containsExactly("low-csat-recovery");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.CALLBACK);
      assertThat(e.fields()).containsEntry("queue", "recovery");
      assertThat(e.context()).containsEntry("lastCsat", 2);
    });
  }

  @Test
  void contactPage_alsoCounts_andOnlyOncePerVisit() {
    Scenario s = new Scenario().interaction("lea", "call", DAY, "case-5", "support", true, 1)
        .page("lea", "/contact").page("lea", "/contact/form").page("lea", "/help");

    assertThat(s.fired()).containsExactly("low-csat-recovery");
  }

  @Test
  void ratedThree_doesNotFire() {
    Scenario s = new Scenario().interaction("lea", "call", DAY, "case-5", "support", true, 3)
        .page("lea", "/help");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void ratingOlderThanFourteenDays_doesNotFire() {
    Scenario s = new Scenario().interaction("lea", "call", 15 * DAY, "case-5", "support", true, 1)
        .page("lea", "/help");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void aLaterBetterRating_wins() {
    Scenario s = new Scenario()
        .interaction("lea", "call", 5 * DAY, "case-5", "support", true, 1)
        .interaction("lea", "chat", DAY, "case-6", "support", true, 5)
        .page("lea", "/help");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void otherPages_doNotFire() {
    Scenario s = new Scenario().interaction("lea", "call", DAY, "case-5", "support", true, 1)
        .page("lea", "/products");

    assertThat(s.fired()).isEmpty();
  }
}
