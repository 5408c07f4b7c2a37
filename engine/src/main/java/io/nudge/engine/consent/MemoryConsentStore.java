package io.nudge.engine.consent;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Consent kept in memory: gone when the process ends. */
public final class MemoryConsentStore implements ConsentStore {
  private final ConcurrentHashMap<String, Map<Purpose, ConsentRecord>> choices = new ConcurrentHashMap<>();
  private final Map<String, List<ConsentRecord>> history = new HashMap<>();

  @Override
  public synchronized void record(String customerId, ConsentRecord choice) {
    Map<Purpose, ConsentRecord> old = choices.getOrDefault(customerId, Map.of());
    ConsentRecord current = old.get(choice.purpose());
    if (current != null && current.at().isAfter(choice.at())) {
      return; // a newer choice is already recorded
    }
    Map<Purpose, ConsentRecord> next = new EnumMap<>(Purpose.class);
    next.putAll(old);
    next.put(choice.purpose(), choice);
    choices.put(customerId, Map.copyOf(next));
    List<ConsentRecord> past = history.computeIfAbsent(customerId, k -> new ArrayList<>());
    past.add(choice);
    if (past.size() > HISTORY_KEPT) {
      past.remove(0);
    }
  }

  @Override
  public synchronized List<ConsentRecord> history(String customerId) {
    return List.copyOf(history.getOrDefault(customerId, List.of()));
  }

  @Override
  public synchronized int erase(String customerId) {
    choices.remove(customerId);
    List<ConsentRecord> past = history.remove(customerId);
    return past == null ? 0 : past.size();
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    return choices.getOrDefault(customerId, Map.of());
  }
}
