package io.nudge.engine.policy;

import io.nudge.engine.Checks;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * When a queue's agents take chats and callbacks, and how long a wait is too long. Outside its
 * hours (a day with no hours, a holiday) chats and callbacks to the queue are suppressed with reason
 * {@code closed}, or downgraded to the tip the rule gave with {@code orTip}.
 *
 * @param zone the zone its hours are in
 * @param week opening times per day; a day missing is closed all day; null means always open
 * @param holidays dates (in {@code zone}) it is closed all day
 * @param maxWait a chat is not offered when the reported expected wait is longer; null: no limit
 */
public record QueueRules(ZoneId zone, Map<DayOfWeek, List<Opening>> week, Set<LocalDate> holidays, Duration maxWait) {

  /** One opening time in a day: from {@code open} until {@code close}, local time. */
  public record Opening(LocalTime open, LocalTime close) {
    public Opening {
      Checks.checkArgument(open.isBefore(close), "opening time %s-%s must open before it closes", open, close);
    }
  }

  public QueueRules {
    Objects.requireNonNull(zone, "zone");
    week = week == null ? null : Map.copyOf(new EnumMap<>(week));
    holidays = Set.copyOf(holidays);
    Checks.checkArgument(maxWait == null || !maxWait.isNegative(), "maxWait %s must not be negative", maxWait);
  }

  /** A queue open around the clock with no wait limit. */
  public static QueueRules alwaysOpen() {
    return new QueueRules(ZoneId.of("UTC"), null, Set.of(), null);
  }

  public boolean isOpen(Instant at) {
    ZonedDateTime local = ZonedDateTime.ofInstant(at, zone);
    if (holidays.contains(local.toLocalDate())) {
      return false;
    }
    if (week == null) {
      return true;
    }
    LocalTime time = local.toLocalTime();
    for (Opening o : week.getOrDefault(local.getDayOfWeek(), List.of())) {
      if (!time.isBefore(o.open()) && time.isBefore(o.close())) {
        return true;
      }
    }
    return false;
  }
}
