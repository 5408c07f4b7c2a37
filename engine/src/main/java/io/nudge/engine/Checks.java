package io.nudge.engine;

/** Argument and state checks with messages that name the value and the rule it broke. */
public final class Checks {
  private Checks() {}

  public static void checkArgument(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new InvalidInputException(String.format(format, args));
    }
  }

  public static void checkState(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalStateException(String.format(format, args));
    }
  }

  public static <T> T checkNotNull(T value, String name) {
    if (value == null) {
      throw new InvalidInputException(name + " is required");
    }
    return value;
  }
}
