package io.nudge.engine.journey;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import java.time.Instant;

/** Decides whether an engagement a rule asked for may leave. */
@FunctionalInterface
public interface Gate {
  Decision decide(Engagement engagement, Instant now);
}
