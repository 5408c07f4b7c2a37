package io.nudge.engine.policy;

import io.nudge.engine.Checks;
import io.nudge.engine.EngagementType;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A pause after the customer turned an engagement down: after outcome {@code after} (declined or
 * ignored) on an engagement of {@code type}, no engagement of that type is sent for {@code duration}.
 * Suppressed with reason {@code cooldown}.
 *
 * @param after {@code declined} or {@code ignored}
 * @param type the type turned down and paused, or null for every type
 * @param duration how long the pause lasts from the outcome
 */
public record Cooldown(String after, EngagementType type, Duration duration) {
  static final Set<String> OUTCOMES = Set.of("declined", "ignored");

  public Cooldown {
    Checks.checkArgument(OUTCOMES.contains(after), "cool-down after \"%s\" must be after declined or ignored", after);
    Objects.requireNonNull(duration, "duration");
    Checks.checkArgument(!duration.isNegative(), "cool-down after %s is %s, must not be negative", after, duration);
  }

  public boolean applies(EngagementType t) {
    return type == null || type == t;
  }
}
