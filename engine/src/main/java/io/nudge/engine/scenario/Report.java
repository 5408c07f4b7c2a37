package io.nudge.engine.scenario;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What running a folder of scenario files found.
 *
 * @param scenarios how many scenarios ran (a file that could not be read counts none)
 * @param failures the scenarios that failed and the files that could not be read, in file order
 */
public record Report(int scenarios, List<Failure> failures) {

  public Report {
    failures = List.copyOf(failures);
  }

  /** True when every scenario passed and every file could be read. */
  public boolean passed() {
    return failures.isEmpty() && scenarios > 0;
  }

  /** Each failure with what was expected and what happened, then a one-line summary. */
  @Override
  public String toString() {
    String summary;
    if (scenarios == 0 && failures.isEmpty()) {
      summary = "no scenarios found: put scenario files (*.yaml) in the rules folder's tests folder";
    } else if (failures.isEmpty()) {
      summary = scenarios == 1 ? "1 scenario passed" : scenarios + " scenarios passed";
    } else {
      long unread = failures.stream().filter(f -> f.scenario() == null).count();
      long failed = failures.size() - unread;
      String files = unread == 1 ? "1 file could not be read" : unread + " files could not be read";
      summary = failed > 0 ? failed + " of " + scenarios + " scenarios failed" + (unread > 0 ? ", " + files : "")
          : scenarios > 0 ? scenarios + " scenarios passed, " + files : files;
    }
    String details = failures.stream().map(Failure::toString).collect(Collectors.joining("\n\n"));
    return details.isEmpty() ? summary : details + "\n\n" + summary;
  }
}
