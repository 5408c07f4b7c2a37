package io.nudge.engine;

/** A value handed to the engine breaks one of its documented rules; the message names the value and the rule. */
public final class InvalidInputException extends NudgeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
