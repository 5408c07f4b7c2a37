package io.nudge.engine;

/**
 * One thing wrong with a rule file, in terms an analyst can act on.
 *
 * @param file the file name, for example {@code checkout-hesitation.drl}
 * @param line 1-based line, or 0 when the problem is not tied to a line
 * @param column 1-based column, or 0 when not known
 * @param message what is wrong
 */
public record RuleProblem(String file, int line, int column, String message) {

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
