package io.nudge.engine.policy;

import io.nudge.engine.Checks;
import io.nudge.engine.EngagementType;
import java.time.Duration;
import java.util.Objects;

/**
 * A frequency cap: at most {@code max} engagements sent to one customer in any rolling {@code per}
 * (a day, a week), across visits, devices and channels. An engagement over it is suppressed with
 * reason {@code cap:<name>}.
 *
 * @param name the name used in the suppression reason, for example {@code chat-per-day}
 * @param type the type counted and capped, or null for every type
 * @param max how many may be sent in the period; 0 sends none
 * @param per the rolling period
 */
public record Cap(String name, EngagementType type, int max, Duration per) {

  public Cap {
    Checks.checkArgument(name != null && name.matches("[a-z0-9][a-z0-9_-]{0,63}"),
        "cap name \"%s\" must be 1 to 64 lower-case letters, digits, '-' or '_'", name);
    Checks.checkArgument(max >= 0, "cap \"%s\" has max %d, must not be negative", name, max);
    Objects.requireNonNull(per, "per");
    Checks.checkArgument(per.toMinutes() >= 1, "cap \"%s\" has period %s, must be at least a minute", name, per);
  }

  /** True when this cap counts engagements of {@code t}. */
  public boolean counts(EngagementType t) {
    return type == null || type == t;
  }
}
