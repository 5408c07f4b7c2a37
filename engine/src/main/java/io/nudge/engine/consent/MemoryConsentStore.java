package io.nudge.engine.consent;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Consent kept in memory: gone when the process ends. */
public final class MemoryConsentStore implements ConsentStore {
  private final ConcurrentHashMap<String, Map<Purpose, ConsentRecord>> choices = new ConcurrentHashMap<>();

  @Override
  public void record(String customerId, ConsentRecord choice) {
    choices.compute(customerId, (id, old) -> {
      ConsentRecord current = old == null ? null : old.get(choice.purpose());
      if (current != null && current.at().isAfter(choice.at())) {
        return old; // a newer choice is already recorded
      }
      Map<Purpose, ConsentRecord> next = old == null ? new EnumMap<>(Purpose.class) : new EnumMap<>(old);
      next.put(choice.purpose(), choice);
      return Map.copyOf(next);
    });
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    return choices.getOrDefault(customerId, Map.of());
  }
}
