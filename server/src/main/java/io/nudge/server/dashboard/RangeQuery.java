package io.nudge.server.dashboard;

import io.nudge.server.http.ApiError;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The query parameters the admin endpoints over a time range share: a time range, a duration, a bounded number. */
public final class RangeQuery {
  /** The range when {@code from} is left out: the day before {@code to}. */
  static final Duration DEFAULT_SPAN = Duration.ofHours(24);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(m|h|d)");

  private RangeQuery() {}

  /** {@code from} and {@code to}, ISO-8601 instants; {@code to} defaults to now, {@code from} to a day before. */
  public static Instant[] range(RoutingContext ctx, InstantSource clock) {
    Instant to = instant(ctx, "to", clock.instant());
    Instant from = instant(ctx, "from", to.minus(DEFAULT_SPAN));
    if (!from.isBefore(to)) {
      throw ApiError.badField("from", "from " + from + " is not before to " + to);
    }
    return new Instant[] {from, to};
  }

  static Duration duration(RoutingContext ctx, String name, Duration fallback) {
    String v = param(ctx, name);
    if (v == null) {
      return fallback;
    }
    Matcher m = DURATION.matcher(v.trim());
    if (!m.matches()) {
      throw ApiError.badField(name, name + " is \"" + shorten(v) + "\", must be a number of minutes, hours or "
          + "days such as 15m, 1h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  public static int number(RoutingContext ctx, String name, int fallback, int min, int max) {
    String v = param(ctx, name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badField(name, name + " is \"" + shorten(v) + "\", must be a whole number from " + min + " to "
        + max);
  }

  private static Instant instant(RoutingContext ctx, String name, Instant fallback) {
    String v = param(ctx, name);
    if (v == null) {
      return fallback;
    }
    try {
      return Instant.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw ApiError.badField(name, name + " is \"" + shorten(v) + "\", must be an ISO-8601 time such as "
          + "2026-11-23T18:00:00Z");
    }
  }

  private static String param(RoutingContext ctx, String name) {
    try {
      return ctx.request().getParam(name);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("the request's path or query is malformed");
    }
  }

  private static String shorten(String v) {
    return v.length() > 40 ? v.substring(0, 40) + "…" : v;
  }
}
