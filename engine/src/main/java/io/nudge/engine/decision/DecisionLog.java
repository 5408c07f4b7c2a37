package io.nudge.engine.decision;

import io.nudge.engine.Decision;
import java.util.List;

/** Every decision, per customer, so each can be explained later. Implementations are thread-safe. */
public interface DecisionLog {

  /** Records a decision; a later one about the same engagement replaces it. */
  void append(Decision decision);

  /** The customer's decisions, oldest first. */
  List<Decision> forCustomer(String customerId);

  /** True when the engagement with this id was already decided (a replay after a restart asks again). */
  boolean contains(String customerId, String engagementId);

  /** The newest engagements sent, at most {@code limit}, oldest first: what a stream replays after a restart. */
  List<io.nudge.engine.Engagement> recentlySent(int limit);

  /** The decision about the engagement with this id, whoever the customer. */
  java.util.Optional<Decision> find(String engagementId);

  /** What became of the engagement so far, oldest first. */
  List<OutcomeRecord> outcomes(String engagementId);

  /** Records what became of an engagement; the caller checked the order with {@link Outcomes}. */
  void appendOutcome(String engagementId, OutcomeRecord outcome);

  /** Calls {@code consumer} with every decision kept, in no particular order (for statistics). */
  void forEach(java.util.function.Consumer<Decision> consumer);

  /** Forgets sent engagements decided before {@code epochMillis} for {@link #recentlySent}. */
  void trimSentBefore(long epochMillis);

  /** What a removal took away: decisions and the outcomes recorded for them. */
  record Removed(int decisions, int outcomes) {
    public Removed plus(Removed other) {
      return new Removed(decisions + other.decisions, outcomes + other.outcomes);
    }
  }

  /** Removes the customer's decisions, with their outcomes, wherever they are kept. */
  Removed erase(String customerId);

  /** Removes every decision made before {@code epochMillis}, with its outcomes (retention). */
  Removed purgeBefore(long epochMillis);
}
