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
    Duration d = Durations.parse(v);
    if (d == null) {
      throw new ConfigException(name + " is \"" + v + "\", not a duration such as " + Durations.EXAMPLES);
    }
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
