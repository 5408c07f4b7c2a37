package io.nudge.engine.decision;

import io.nudge.engine.Checks;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Decisions kept in memory, the newest {@code perCustomer} of each customer. */
public final class MemoryDecisionLog implements DecisionLog {
  private final ConcurrentHashMap<String, ArrayDeque<Decision>> byCustomer = new ConcurrentHashMap<>();
  private final int perCustomer;
  private static final int SENT_KEPT = 10_000;
  private final ArrayDeque<Engagement> sent = new ArrayDeque<>();
  private final ConcurrentHashMap<String, Decision> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<OutcomeRecord>> outcomes = new ConcurrentHashMap<>();

  public MemoryDecisionLog(int perCustomer) {
    Checks.checkArgument(perCustomer > 0, "perCustomer is %d, must be positive", perCustomer);
    this.perCustomer = perCustomer;
  }

  @Override
  public void forEach(java.util.function.Consumer<Decision> consumer) {
    byId.values().forEach(consumer);
  }

  @Override
  public java.util.Optional<Decision> find(String engagementId) {
    return java.util.Optional.ofNullable(byId.get(engagementId));
  }

  @Override
  public List<OutcomeRecord> outcomes(String engagementId) {
    List<OutcomeRecord> list = outcomes.get(engagementId);
    return list == null ? List.of() : List.copyOf(list);
  }

  @Override
  public void appendOutcome(String engagementId, OutcomeRecord outcome) {
    outcomes.computeIfAbsent(engagementId, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(outcome);
  }

  @Override
  public List<Engagement> recentlySent(int limit) {
    synchronized (sent) {
      List<Engagement> all = List.copyOf(sent);
      return all.subList(Math.max(0, all.size() - limit), all.size());
    }
  }

  @Override
  public void trimSentBefore(long epochMillis) {
    // the memory log keeps the newest SENT_KEPT only
  }

  @Override
  public Removed erase(String customerId) {
    Removed removed = removeIf(d -> d.engagement().customerId().equals(customerId));
    byCustomer.remove(customerId);
    return removed;
  }

  @Override
  public Removed purgeBefore(long epochMillis) {
    Removed removed = removeIf(d -> d.decidedAt().toEpochMilli() < epochMillis);
    for (ArrayDeque<Decision> list : byCustomer.values()) {
      synchronized (list) {
        list.removeIf(d -> d.decidedAt().toEpochMilli() < epochMillis);
      }
    }
    byCustomer.values().removeIf(ArrayDeque::isEmpty); // a race with append only costs an empty list
    return removed;
  }

  /** Removes the matching decisions from the id index, the sent list and the outcomes. */
  private Removed removeIf(java.util.function.Predicate<Decision> which) {
    int decisions = 0;
    int outcomeCount = 0;
    for (Decision d : List.copyOf(byId.values())) {
      if (which.test(d) && byId.remove(d.engagement().id(), d)) {
        decisions++;
        List<OutcomeRecord> gone = outcomes.remove(d.engagement().id());
        outcomeCount += gone == null ? 0 : gone.size();
      }
    }
    synchronized (sent) {
      sent.removeIf(e -> !byId.containsKey(e.id()));
    }
    return new Removed(decisions, outcomeCount);
  }

  @Override
  public void append(Decision decision) {
    byId.put(decision.engagement().id(), decision);
    if (decision.outcome() == Decision.Outcome.SENT) {
      synchronized (sent) {
        sent.addLast(decision.engagement());
        if (sent.size() > SENT_KEPT) {
          sent.removeFirst();
        }
      }
    }
    ArrayDeque<Decision> list =
        byCustomer.computeIfAbsent(decision.engagement().customerId(), id -> new ArrayDeque<>());
    synchronized (list) {
      list.removeIf(d -> d.engagement().id().equals(decision.engagement().id()));
      list.addLast(decision);
      if (list.size() > perCustomer) {
        list.removeFirst();
      }
    }
  }

  @Override
  public List<Decision> forCustomer(String customerId) {
    ArrayDeque<Decision> list = byCustomer.get(customerId);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  @Override
  public boolean contains(String customerId, String engagementId) {
    for (Decision d : forCustomer(customerId)) {
      if (d.engagement().id().equals(engagementId)) {
        return true;
      }
    }
    return false;
  }
}
