package io.nudge.server.config;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads typed values out of the raw variables, with errors that name the variable, the value and the rule. */
final class Settings {
  private final Map<String, String> vars;

  Settings(Map<String, String> vars) {
    this.vars = vars;
  }

  String text(String name, String fallback) {
    String v = vars.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  int integer(String name, int fallback, int min, int max) {
    String v = text(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new ConfigException(name + " is " + n + ", must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " is \"" + v + "\", not a whole number");
    }
  }

  /** A duration written as {@code 500ms}, {@code 30s}, {@code 30m}, {@code 24h} or {@code 7d}. */
  Duration duration(String name, Duration fallback) {
    String v = text(name, null);
    if (v == null) {
      return fallback;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(v);
    if (!m.matches()) {
      throw new ConfigException(name + " is \"" + v + "\", not a duration such as 500ms, 30s, 30m, 24h or 7d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.isZero()) {
      throw new ConfigException(name + " is \"" + v + "\", must be more than zero");
    }
    return d;
  }

  Set<String> list(String name) {
    String v = text(name, null);
    Set<String> out = new TreeSet<>();
    if (v != null) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
