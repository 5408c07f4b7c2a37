package io.nudge.engine.policy;

import io.nudge.engine.EngagementType;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;

/**
 * Hours in the customer's own time zone when engagements of {@code types} (callbacks, by default)
 * are not sent. The customer's zone is the {@code context.timezone} of their events; {@code
 * defaultZone} stands in when they never sent one. Suppressed with reason {@code quiet-hours}.
 *
 * @param from the start of the quiet time, local time
 * @param until its end; when it is before {@code from} the quiet time spans midnight
 * @param types the types kept quiet
 * @param defaultZone the zone of a customer whose zone is unknown
 */
public record QuietHours(LocalTime from, LocalTime until, Set<EngagementType> types, ZoneId defaultZone) {

  public QuietHours {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(until, "until");
    types = Set.copyOf(types);
    Objects.requireNonNull(defaultZone, "defaultZone");
  }

  /** True when {@code at} falls in the quiet time for a customer in {@code zone} (null: unknown). */
  public boolean isQuiet(EngagementType type, Instant at, ZoneId zone) {
    if (!types.contains(type) || from.equals(until)) {
      return false;
    }
    LocalTime local = ZonedDateTime.ofInstant(at, zone == null ? defaultZone : zone).toLocalTime();
    if (from.isBefore(until)) {
      return !local.isBefore(from) && local.isBefore(until);
    }
    return !local.isBefore(from) || local.isBefore(until);
  }
}
