package io.nudge.engine.policy;

import io.nudge.engine.Engagement;
import io.nudge.engine.decision.OutcomeRecord;
import java.time.Instant;
import java.util.List;

/** What was sent to a customer before, across visits, devices and channels: what caps count. */
@FunctionalInterface
public interface ContactHistory {

  /** An engagement sent, when, and what became of it so far. */
  record Contact(Engagement engagement, Instant sentAt, List<OutcomeRecord> outcomes) {
    public Contact {
      outcomes = List.copyOf(outcomes);
    }
  }

  /** The engagements sent to the customer at or after {@code since}, any order. */
  List<Contact> sentSince(String customerId, Instant since);
}
