package io.nudge.server.delivery;

/**
 * Bounds on what webhook delivery holds in memory and asks of the receiver at once.
 *
 * @param maxPending engagements accepted but not yet delivered (queued, in flight or waiting to retry);
 *     past it new engagements are refused and counted as dropped, so a receiver that is down for long
 *     costs engagements, never the server's memory
 * @param maxInFlight requests open to the receiver at the same time
 */
public record DeliveryLimits(int maxPending, int maxInFlight) {

  public DeliveryLimits {
    if (maxPending < 1) {
      throw new IllegalArgumentException("webhook max pending is " + maxPending + ", it must be 1 or more");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("webhook max in flight is " + maxInFlight + ", it must be 1 or more");
    }
  }

  /** 100 000 pending, 32 in flight. */
  public static DeliveryLimits defaults() {
    return new DeliveryLimits(100_000, 32);
  }
}
