package io.nudge.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class SettingsTest {

  @Test
  void parse_all_pacesAt5000And20000() {
    assertThat(Settings.parse(new String[] {"all"}).latencyRates()).containsExactly(5000, 20000);
  }

  @Test
  void parse_latencyRates_keepsTheirOrder() {
    Settings s = Settings.parse(new String[] {"all", "--latency-rates", "20000, 5000,1000"});

    assertThat(s.latencyRates()).containsExactly(20000, 5000, 1000);
  }

  @Test
  void parse_latencyRate_isOneRate() {
    assertThat(Settings.parse(new String[] {"all", "--latency-rate", "5000"}).latencyRates())
        .isEqualTo(List.of(5000));
  }

  @Test
  void parse_latencyRateAndLatencyRates_isRefused() {
    assertThatThrownBy(() -> Settings.parse(new String[] {"all", "--latency-rate", "5000", "--latency-rates",
        "5000,20000"})).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--latency-rate and --latency-rates are both given; give one");
  }

  @Test
  void parse_latencyRatesWithZero_isRefused() {
    assertThatThrownBy(() -> Settings.parse(new String[] {"smoke", "--latency-rates", "0,2000"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--latency-rates is \"0,2000\": each rate must be 1 event/s or more");
  }
}
