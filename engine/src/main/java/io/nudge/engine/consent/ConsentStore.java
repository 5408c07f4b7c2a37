package io.nudge.engine.consent;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import java.util.Map;

/** Customers' consent choices. Implementations are thread-safe. */
public interface ConsentStore {

  /** Records a choice unless one made later ({@link ConsentRecord#at()}) is already recorded for the purpose. */
  void record(String customerId, ConsentRecord choice);

  /** The current choice per purpose; purposes never set are absent. */
  Map<Purpose, ConsentRecord> current(String customerId);

  /** Every choice recorded, oldest first, the newest {@value #HISTORY_KEPT} at most. */
  java.util.List<ConsentRecord> history(String customerId);

  /** Forgets the customer's choices, current and past; returns how many choices the history held. */
  int erase(String customerId);

  /** How many past choices are kept per customer. */
  int HISTORY_KEPT = 100;
}
