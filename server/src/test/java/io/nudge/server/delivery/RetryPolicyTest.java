package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {
  private final RetryPolicy policy = RetryPolicy.defaults();

  @Test
  void defaults_areOneSecondFiveMinutesTenSeconds() {
    assertThat(policy).isEqualTo(new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10)));
  }

  @Test
  void cap_doublesFromInitialDelayUpToMaxDelay() {
    assertThat(policy.capMillis(1)).isEqualTo(1_000);
    assertThat(policy.capMillis(2)).isEqualTo(2_000);
    assertThat(policy.capMillis(3)).isEqualTo(4_000);
    assertThat(policy.capMillis(9)).isEqualTo(256_000);
    assertThat(policy.capMillis(10)).isEqualTo(300_000);
    assertThat(policy.capMillis(1_000_000)).isEqualTo(300_000);
  }

  @Test
  void delay_isFullJitterBetweenZeroAndTheCap() {
    assertThat(policy.delayMillis(3, -1, 0.0)).isZero();
    assertThat(policy.delayMillis(3, -1, 0.5)).isEqualTo(2_000);
    assertThat(policy.delayMillis(3, -1, Math.nextDown(1.0))).isEqualTo(4_000);
  }

  @Test
  void delay_retryAfterIsAFloorOverTheJitter() {
    assertThat(policy.delayMillis(1, 30_000, 0.0)).isEqualTo(30_000);
    assertThat(policy.delayMillis(20, 30_000, Math.nextDown(1.0))).isEqualTo(300_000);
  }

  @Test
  void delay_retryAfterOverAnHour_waitsAnHour() {
    assertThat(policy.delayMillis(1, Duration.ofDays(2).toMillis(), 0.0)).isEqualTo(Duration.ofHours(1).toMillis());
  }

  @Test
  void create_maxDelayUnderInitialDelay_failsNamingBoth() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook retry max delay is 1000 ms, under the 2000 ms initial delay");
  }

  @Test
  void create_zeroRequestTimeout_fails() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook retry request timeout is 0 ms, it must be over 0 ms");
  }
}
