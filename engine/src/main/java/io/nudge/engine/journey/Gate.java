package io.nudge.engine.journey;

import io.nudge.engine.Decision;
import java.time.Instant;
import java.util.List;

/** Decides which of the engagements the rules asked for may leave. */
@FunctionalInterface
public interface Gate {

  /**
   * Decides together the engagements asked for one customer within the arbitration window.
   *
   * @param asked in the order the rules asked, all of one customer
   * @param customer that customer as the session holds them now
   * @param now the rule clock
   * @return one decision per engagement asked, in the same order
   */
  List<Decision> decide(List<Asked> asked, CustomerView customer, Instant now);

  /** A gate that decides each engagement on its own, with no arbitration: for tests and tools. */
  static Gate each(java.util.function.BiFunction<io.nudge.engine.Engagement, Instant, Decision> decide) {
    return (asked, customer, now) -> asked.stream().map(a -> decide.apply(a.engagement(), now)).toList();
  }
}
