package io.nudge.engine.store;

import io.nudge.engine.Engagement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An outbox in memory. */
public final class MemoryOutbox implements Outbox {
  private final Map<String, Engagement> pending = new LinkedHashMap<>();
  private final Map<String, DeadLetter> dead = new LinkedHashMap<>();

  @Override
  public synchronized void add(Engagement engagement) {
    pending.put(engagement.id(), engagement);
  }

  @Override
  public synchronized List<Engagement> pending() {
    return new ArrayList<>(pending.values());
  }

  @Override
  public synchronized void delivered(String engagementId) {
    pending.remove(engagementId);
  }

  @Override
  public synchronized void deadLetter(Engagement engagement, String reason, Instant at) {
    if (pending.remove(engagement.id()) != null) {
      dead.put(engagement.id(), new DeadLetter(engagement, reason, at));
    }
  }

  @Override
  public synchronized int erase(java.util.Collection<String> customerIds) {
    int before = pending.size() + dead.size();
    pending.values().removeIf(e -> customerIds.contains(e.customerId()));
    dead.values().removeIf(d -> customerIds.contains(d.engagement().customerId()));
    return before - pending.size() - dead.size();
  }

  @Override
  public synchronized List<DeadLetter> deadLetters() {
    return new ArrayList<>(dead.values());
  }

  @Override
  public synchronized Optional<Engagement> revive(String engagementId) {
    DeadLetter d = dead.remove(engagementId);
    if (d == null) {
      return Optional.empty();
    }
    pending.put(engagementId, d.engagement());
    return Optional.of(d.engagement());
  }
}
