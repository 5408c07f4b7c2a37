package io.nudge.engine;

/** Root of every exception the engine throws on purpose; subtypes say what the caller can do about it. */
public class NudgeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NudgeException(String message) {
    super(message);
  }

  public NudgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
