package io.nudge.engine.decision;

import io.nudge.engine.NudgeException;
import java.util.List;
import java.util.Map;

/**
 * The order outcomes may come in: {@code shown} first if at all; then one of {@code accepted},
 * {@code declined}, {@code ignored}, {@code expired}; then {@code converted}, only after
 * {@code accepted} (or straight away). The same outcome twice is accepted once and ignored after.
 */
public final class Outcomes {
  /** Every outcome, in the order of its stage. */
  public static final List<String> ALL = List.of("shown", "accepted", "declined", "ignored", "expired",
      "converted");
  private static final Map<String, Integer> STAGE = Map.of("shown", 1, "accepted", 2, "declined", 2,
      "ignored", 2, "expired", 2, "converted", 3);

  private Outcomes() {}

  /** Thrown when an outcome would go backwards; HTTP 409. */
  public static final class ConflictException extends NudgeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
      super(message);
    }
  }

  /**
   * Checks that {@code next} may follow what was reported so far.
   *
   * @return false when {@code next} repeats the last outcome (nothing to record)
   * @throws ConflictException when it would go backwards or past a final outcome
   */
  public static boolean mayFollow(List<OutcomeRecord> sofar, String next, String engagementId) {
    if (sofar.isEmpty()) {
      return true;
    }
    String last = sofar.get(sofar.size() - 1).outcome();
    if (last.equals(next)) {
      return false;
    }
    boolean forward = STAGE.get(next) > STAGE.get(last)
        && (!next.equals("converted") || last.equals("accepted") || last.equals("shown"));
    if (!forward) {
      throw new ConflictException("outcome \"" + next + "\" cannot follow \"" + last + "\" for engagement "
          + engagementId);
    }
    return true;
  }
}
