package io.nudge.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class IngestLimitsTest {

  @Test
  void defaults_areSegmentsLimits() {
    assertThat(IngestLimits.defaults()).isEqualTo(new IngestLimits(32_768, 512_000, 2_500, 20, 8_192, 200));
  }

  @Test
  void fromEnvironment_readsEachVariableAndKeepsDefaultsForTheRest() {
    IngestLimits limits = IngestLimits.fromEnvironment(Map.of(
        "NUDGE_MAX_EVENT_BYTES", "1000", "NUDGE_MAX_REQUEST_BYTES", " 2000 ", "NUDGE_MAX_PROPERTIES", "",
        "NUDGE_MAX_NESTING_DEPTH", "8"));

    assertThat(limits).isEqualTo(new IngestLimits(1_000, 2_000, 2_500, 8, 8_192, 200));
  }

  @Test
  void fromEnvironment_notANumber_failsNamingTheVariable() {
    assertThatThrownBy(() -> IngestLimits.fromEnvironment(Map.of("NUDGE_MAX_BATCH_EVENTS", "lots")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NUDGE_MAX_BATCH_EVENTS is \"lots\", must be a whole number from 1 to 2147483647");
  }

  @Test
  void create_limitBelowOne_failsNamingTheVariable() {
    assertThatThrownBy(() -> IngestLimits.fromEnvironment(Map.of("NUDGE_MAX_STRING_LENGTH", "0")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NUDGE_MAX_STRING_LENGTH is 0, must be at least 1");
    assertThatThrownBy(() -> new IngestLimits(1, 1, 1, 2, 1, 1))
        .hasMessage("NUDGE_MAX_NESTING_DEPTH is 2, must be at least 3");
  }
}
