package io.nudge.server.config;

/** A setting is missing or wrong; the message names the variable and why, in one line. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
