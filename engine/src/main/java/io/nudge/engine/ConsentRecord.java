package io.nudge.engine;

import java.time.Instant;

/**
 * A customer's choice for one purpose.
 *
 * @param purpose what the choice is about
 * @param granted true when granted, false when denied
 * @param source where it came from: {@code api} (the admin API), {@code event} (an event's
 *     {@code context.consent}), {@code signal} (a browser privacy signal) or {@code visitor} (the
 *     visitor in Nudge's own controls: "Don't show me offers like this", the preference centre)
 * @param at when it was recorded
 */
public record ConsentRecord(Purpose purpose, boolean granted, String source, Instant at) {

  /** The source of a choice the visitor made in Nudge's own controls. */
  public static final String VISITOR = "visitor";
}
