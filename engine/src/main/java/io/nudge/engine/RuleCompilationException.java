package io.nudge.engine;

import java.util.List;
import java.util.stream.Collectors;

/** A rule pack did not compile; {@link #problems()} says where and why. */
public final class RuleCompilationException extends NudgeException {
  private static final long serialVersionUID = 1L;
  private final transient List<RuleProblem> problems;

  public RuleCompilationException(List<RuleProblem> problems) {
    super(problems.stream().map(RuleProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<RuleProblem> problems() {
    return problems;
  }
}
