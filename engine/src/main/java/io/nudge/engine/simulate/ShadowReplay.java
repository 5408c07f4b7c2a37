package io.nudge.engine.simulate;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.RulePack;
import io.nudge.engine.journey.Gate;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.LoggedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replays recorded events through two rule packs, the running one and a candidate, and tells what the
 * candidate would change: engagements it would add and engagements it would no longer ask for, per
 * rule, with sample customers. Nothing is sent and nothing is stored: both sides run in sessions of
 * their own on a pseudo clock. It compares what the rules ask for, before consent and the contact
 * policy, since those do not depend on the rules.
 */
public final class ShadowReplay {
  /** After the last event the clocks run on this long, so timers and absence rules can fire. */
  static final Duration TAIL = Duration.ofMinutes(10);
  private static final Duration STEPPED = Duration.ofHours(1);
  private static final int SAMPLES = 5;

  /** What one rule would do differently: counts of engagements added and removed, and some customers. */
  public record RuleChange(String rule, int added, int removed, Set<String> sampleCustomers) {}

  /** The difference over {@code events} events; {@code rules} lists only rules that change. */
  public record Result(int events, int currentEngagements, int candidateEngagements, List<RuleChange> rules) {}

  private ShadowReplay() {}

  /** Replays {@code events} (in log order) through {@code current} and {@code candidate}. */
  public static Result compare(RulePack current, RulePack candidate, List<LoggedEvent> events,
      Duration sessionTimeout) {
    Map<String, Set<String>> now = run(current, events, sessionTimeout);
    Map<String, Set<String>> next = run(candidate, events, sessionTimeout);
    Set<String> rules = new java.util.TreeSet<>(now.keySet());
    rules.addAll(next.keySet());
    List<RuleChange> changes = new ArrayList<>();
    for (String rule : rules) {
      Set<String> before = now.getOrDefault(rule, Set.of());
      Set<String> after = next.getOrDefault(rule, Set.of());
      Set<String> added = new LinkedHashSet<>(after);
      added.removeAll(before);
      Set<String> removed = new LinkedHashSet<>(before);
      removed.removeAll(after);
      if (!added.isEmpty() || !removed.isEmpty()) {
        Set<String> samples = new LinkedHashSet<>();
        for (String key : concat(added, removed)) {
          if (samples.size() < SAMPLES) {
            samples.add(key.substring(0, key.indexOf('\u0000')));
          }
        }
        changes.add(new RuleChange(rule, added.size(), removed.size(), samples));
      }
    }
    return new Result(events.size(), count(now), count(next), changes);
  }

  /** Per rule, the engagements asked, each as customer + NUL + engagement id. */
  private static Map<String, Set<String>> run(RulePack pack, List<LoggedEvent> events, Duration sessionTimeout) {
    Map<String, Set<String>> asked = new TreeMap<>();
    if (events.isEmpty()) {
      return asked;
    }
    Gate recordAll = Gate.each((e, at) -> new Decision(e, Decision.Outcome.SENT, "simulated", at));
    long start = events.get(0).receivedAt();
    try (JourneySession session = new JourneySession(pack, start, sessionTimeout, recordAll, d -> {
      Engagement e = d.engagement();
      asked.computeIfAbsent(e.rule(), r -> new LinkedHashSet<>()).add(e.customerId() + '\u0000' + e.id());
    })) {
      long clock = start;
      for (LoggedEvent le : events) {
        // second by second, so timers fire when they are due, as on a shard that ticks; past an
        // hour of quiet nothing is pending that a second would tell apart
        for (long t = clock + 1_000; t < le.receivedAt() && t <= clock + STEPPED.toMillis(); t += 1_000) {
          session.advanceTo(t);
        }
        clock = Math.max(clock, le.receivedAt());
        session.apply(le.customerId(), le.event(), le.receivedAt(), le.sequence());
      }
      for (long t = clock + 1_000; t <= clock + TAIL.toMillis(); t += 1_000) {
        session.advanceTo(t);
      }
    }
    return asked;
  }

  private static List<String> concat(Set<String> a, Set<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static int count(Map<String, Set<String>> asked) {
    return asked.values().stream().mapToInt(Set::size).sum();
  }
}
