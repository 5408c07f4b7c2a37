package io.nudge.engine.scenario;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Relative times in scenario files: {@code +35s}, {@code +2m}, {@code +1h30m}, {@code 3d}, {@code 500ms}. */
final class Times {
  private static final Pattern WHOLE = Pattern.compile("\\+?(\\d+(ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final long SECOND = 1000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  /** Longer than any rule looks back or ahead; keeps sums far from overflow. */
  static final long MAX = 366 * DAY;

  private Times() {}

  /** Milliseconds, or empty when {@code text} is not such a time or is over {@link #MAX}. */
  static Optional<Long> parse(String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      return Optional.empty();
    }
    long total = 0;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      if (m.group(1).length() > 12) {
        return Optional.empty();
      }
      total += Long.parseLong(m.group(1)) * unit(m.group(2));
      if (total > MAX) {
        return Optional.empty();
      }
    }
    return Optional.of(total);
  }

  private static long unit(String unit) {
    return switch (unit) {
      case "ms" -> 1;
      case "s" -> SECOND;
      case "m" -> MINUTE;
      case "h" -> HOUR;
      default -> DAY;
    };
  }

  /** {@code +1m40s}, {@code +0s}, {@code +2d3h}, {@code +1s500ms}. */
  static String format(long millis) {
    if (millis == 0) {
      return "+0s";
    }
    StringBuilder out = new StringBuilder(millis < 0 ? "-" : "+");
    long rest = Math.abs(millis);
    long[] units = {DAY, HOUR, MINUTE, SECOND, 1};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (rest >= units[i]) {
        out.append(rest / units[i]).append(names[i]);
        rest %= units[i];
      }
    }
    return out.toString();
  }
}
