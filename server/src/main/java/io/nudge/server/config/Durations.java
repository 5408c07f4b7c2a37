package io.nudge.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration format of Nudge's settings and policy file: 500ms, 30s, 30m, 24h, 7d. */
final class Durations {
  static final String EXAMPLES = "500ms, 30s, 30m, 24h or 7d";
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /** The duration {@code v} names, or null when it is not one. */
  static Duration parse(String v) {
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
