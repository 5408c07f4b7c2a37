package io.nudge.engine;

import java.time.Instant;

/**
 * What the gate decided about one engagement a rule asked for.
 *
 * @param engagement the engagement as the rule built it
 * @param outcome sent, suppressed, or expired (sent, but the webhook could not deliver it in time)
 * @param reason why: {@code consent:<purpose>} or {@code expired} when suppressed, {@code sent} when
 *     sent, {@code webhook:<last failure>} when its delivery expired
 * @param decidedAt when the gate decided (engine clock)
 */
public record Decision(Engagement engagement, Outcome outcome, String reason, Instant decidedAt) {

  /** How a decision ends: sent, suppressed by the gate, or sent but given up on by delivery. */
  public enum Outcome {
    SENT, SUPPRESSED, EXPIRED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public boolean sent() {
    return outcome == Outcome.SENT;
  }
}
