package io.nudge.engine;

/** Something named by id does not exist (an engagement, a customer); HTTP 404. */
public final class NotFoundException extends NudgeException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
