package io.nudge.server;

import io.nudge.engine.NudgeException;
import io.nudge.engine.scenario.Report;
import io.nudge.engine.scenario.ScenarioRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar nudge-server.jar test-rules [dir]}: runs the scenario files of a rules folder
 * ({@code dir/tests/*.yaml}, default {@code ./rules}) and prints the report. Exit code 0 when every
 * scenario passed, 1 when one failed or the rules do not compile, 2 for a wrong command line.
 */
final class TestRulesCommand {
  static final String NAME = "test-rules";

  private TestRulesCommand() {}

  /** @param args the arguments after {@code test-rules} */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() > 1 || args.stream().anyMatch(a -> a.startsWith("-"))) {
      err.println("usage: java -jar nudge-server.jar test-rules [rules folder, default ./rules]");
      return 2;
    }
    Path dir = Path.of(args.isEmpty() ? "rules" : args.get(0));
    Report report;
    try {
      report = ScenarioRunner.run(dir);
    } catch (NudgeException e) {
      err.println("nudge: " + e.getMessage());
      return 1;
    }
    out.println(report);
    return report.passed() ? 0 : 1;
  }
}
