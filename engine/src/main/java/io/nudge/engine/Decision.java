package io.nudge.engine;

import java.time.Instant;

/**
 * What the gate decided about one engagement a rule asked for.
 *
 * @param engagement the engagement as the rule built it
 * @param outcome sent or suppressed
 * @param reason why: {@code consent:<purpose>} when suppressed, {@code sent} when sent
 * @param decidedAt when the gate decided (engine clock)
 */
public record Decision(Engagement engagement, Outcome outcome, String reason, Instant decidedAt) {

  /** The two ways a decision ends. */
  public enum Outcome {
    SENT, SUPPRESSED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public boolean sent() {
    return outcome == Outcome.SENT;
  }
}
