package io.nudge.engine.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class OutcomesTest {

  private static List<OutcomeRecord> history(String... outcomes) {
    List<OutcomeRecord> list = new ArrayList<>();
    for (String o : outcomes) {
      list.add(new OutcomeRecord(o, Instant.EPOCH));
    }
    return list;
  }

  @ParameterizedTest
  @CsvSource({
      "'', shown", "'', accepted", "'', declined", "'', expired", "'', converted",
      "shown, accepted", "shown, declined", "shown, ignored", "shown, expired", "shown, converted",
      "accepted, converted"})
  void forward_isAllowed(String before, String next) {
    assertThat(Outcomes.mayFollow(before.isEmpty() ? history() : history(before), next, "eng_1")).isTrue();
  }

  @Test
  void sameOutcomeAgain_isNothingToRecord() {
    assertThat(Outcomes.mayFollow(history("shown", "accepted"), "accepted", "eng_1")).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
      "expired, accepted", "declined, accepted", "accepted, declined", "accepted, shown", "ignored, converted",
      "declined, converted", "converted, accepted", "expired, shown"})
  void backwardsOrPastAnEnd_isAConflictNamingBoth(String before, String next) {
    assertThatThrownBy(() -> Outcomes.mayFollow(history(before), next, "eng_9"))
        .isInstanceOf(Outcomes.ConflictException.class)
        .hasMessage("outcome \"" + next + "\" cannot follow \"" + before + "\" for engagement eng_9");
  }
}
