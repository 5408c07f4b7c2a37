package io.nudge.engine.decision;

import io.nudge.engine.Decision;
import java.util.List;

/** Every decision, per customer, so each can be explained later. Implementations are thread-safe. */
public interface DecisionLog {

  void append(Decision decision);

  /** The customer's decisions, oldest first. */
  List<Decision> forCustomer(String customerId);
}
