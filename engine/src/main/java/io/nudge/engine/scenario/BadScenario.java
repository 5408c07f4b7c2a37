package io.nudge.engine.scenario;

import io.nudge.engine.NudgeException;

/** A scenario file says something the runner cannot do; the message names the key and the value. */
final class BadScenario extends NudgeException {
  private static final long serialVersionUID = 1L;

  BadScenario(String message) {
    super(message);
  }
}
