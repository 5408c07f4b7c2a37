package io.nudge.engine.scenario;

import java.util.List;

/**
 * One scenario that failed, or one file that could not be read.
 *
 * @param file the scenario file, relative to the rules folder, for example {@code tests/checkout.yaml}
 * @param scenario the scenario's name, or null when the file as a whole could not be read
 * @param lines what went wrong, one line each, already indented for the report
 */
public record Failure(String file, String scenario, List<String> lines) {

  public Failure {
    lines = List.copyOf(lines);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("FAIL ").append(file);
    if (scenario != null) {
      out.append(": ").append(scenario);
    }
    for (String line : lines) {
      out.append('\n').append(line);
    }
    return out.toString();
  }
}
