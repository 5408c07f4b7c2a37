package io.nudge.server.delivery;

import java.time.Duration;

/**
 * How the server-sent event streams behave.
 *
 * @param heartbeat how often an idle stream gets a {@code : keep-alive} comment, so that proxies and
 *     load balancers do not close it and clients notice a dead connection
 * @param replayCapacity how many recent engagements the agent stream keeps for {@code Last-Event-ID} resume
 */
public record StreamSettings(Duration heartbeat, int replayCapacity) {

  public StreamSettings {
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("stream heartbeat is "
          + (heartbeat == null ? "missing" : heartbeat.toMillis() + " ms") + ", it must be over 0 ms");
    }
    if (replayCapacity < 0) {
      throw new IllegalArgumentException("stream replay capacity is " + replayCapacity + ", it must be 0 or more");
    }
  }

  /** A heartbeat every 15 s, the last 10 000 engagements kept for resume. */
  public static StreamSettings defaults() {
    return new StreamSettings(Duration.ofSeconds(15), 10_000);
  }
}
