package io.nudge.engine.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

final class TimesTest {

  @Test
  void parse_unitsAndSums() {
    assertThat(Times.parse("+35s")).contains(35_000L);
    assertThat(Times.parse("2m")).contains(120_000L);
    assertThat(Times.parse("+1h30m")).contains(5_400_000L);
    assertThat(Times.parse("+3d")).contains(259_200_000L);
    assertThat(Times.parse("+1s500ms")).contains(1_500L);
  }

  @Test
  void parse_rejectsOtherTextsAndMoreThanAYear() {
    assertThat(Times.parse("35 sec")).isEqualTo(Optional.empty());
    assertThat(Times.parse("-5s")).isEmpty();
    assertThat(Times.parse("+")).isEmpty();
    assertThat(Times.parse("+367d")).isEmpty();
    assertThat(Times.parse("+99999999999999999999s")).isEmpty();
  }

  @Test
  void format_roundTrips() {
    assertThat(Times.format(0)).isEqualTo("+0s");
    assertThat(Times.format(100_000)).isEqualTo("+1m40s");
    assertThat(Times.format(1_500)).isEqualTo("+1s500ms");
    assertThat(Times.format(Times.parse("+2d3h").orElseThrow())).isEqualTo("+2d3h");
  }
}
