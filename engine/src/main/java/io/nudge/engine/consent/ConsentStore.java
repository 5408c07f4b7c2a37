package io.nudge.engine.consent;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import java.util.Map;

/** Customers' consent choices. Implementations are thread-safe. */
public interface ConsentStore {

  /** Records a choice; a later record for the same purpose replaces it. */
  void record(String customerId, ConsentRecord choice);

  /** The current choice per purpose; purposes never set are absent. */
  Map<Purpose, ConsentRecord> current(String customerId);
}
