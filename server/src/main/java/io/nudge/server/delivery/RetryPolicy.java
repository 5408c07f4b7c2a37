package io.nudge.server.delivery;

import java.time.Duration;

/**
 * When to try a webhook again: exponential backoff with full jitter (a uniformly random delay between
 * zero and {@code min(maxDelay, initialDelay * 2^(failures - 1))}), so that many engagements failing
 * together do not come back together; a receiver's {@code Retry-After} is a floor on that delay.
 *
 * @param initialDelay the cap of the first retry's delay
 * @param maxDelay the cap the doubling stops at
 * @param requestTimeout how long one attempt may wait for the receiver before it counts as failed
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration requestTimeout) {

  /** A {@code Retry-After} longer than this is read as this: a receiver cannot park engagements for days. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  public RetryPolicy {
    checkPositive("initial delay", initialDelay);
    checkPositive("max delay", maxDelay);
    checkPositive("request timeout", requestTimeout);
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("webhook retry max delay is " + maxDelay.toMillis()
          + " ms, under the " + initialDelay.toMillis() + " ms initial delay");
    }
  }

  /** 1 s initial delay, 5 min max delay, 10 s request timeout. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10));
  }

  /**
   * The delay before the next attempt.
   *
   * @param failures how many attempts have failed so far, 1 or more
   * @param retryAfterMillis what the receiver asked for, or a negative number when it did not say
   * @param random a uniform random number in [0, 1)
   */
  long delayMillis(int failures, long retryAfterMillis, double random) {
    long cap = capMillis(failures);
    long jittered = (long) (random * (cap + 1));
    long floor = Math.min(retryAfterMillis, MAX_RETRY_AFTER.toMillis());
    return Math.max(jittered, floor);
  }

  /** {@code min(maxDelay, initialDelay * 2^(failures - 1))}, without overflowing. */
  long capMillis(int failures) {
    long initial = initialDelay.toMillis();
    long max = maxDelay.toMillis();
    int doublings = Math.max(0, failures - 1);
    if (doublings >= Long.numberOfLeadingZeros(initial) - 1) {
      return max;
    }
    return Math.min(max, initial << doublings);
  }

  private static void checkPositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("webhook retry " + name + " is "
          + (d == null ? "missing" : d.toMillis() + " ms") + ", it must be over 0 ms");
    }
  }
}
