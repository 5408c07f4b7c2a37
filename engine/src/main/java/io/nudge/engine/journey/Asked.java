package io.nudge.engine.journey;

import io.nudge.engine.Engagement;
import java.util.Map;

/**
 * An engagement a rule asked for, with what the gate needs beside it.
 *
 * @param engagement the engagement as the rule built it
 * @param priority the rule's {@code @priority} metadata, 0 when it has none; higher wins arbitration
 * @param orTip the tip's title and body to send instead when the queue is closed or full; empty if none
 */
public record Asked(Engagement engagement, int priority, Map<String, String> orTip) {
  public Asked {
    orTip = Map.copyOf(orTip);
  }

  /** An ask with no priority and no fallback. */
  public static Asked of(Engagement engagement) {
    return new Asked(engagement, 0, Map.of());
  }
}
