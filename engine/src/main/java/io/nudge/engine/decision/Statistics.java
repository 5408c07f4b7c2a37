package io.nudge.engine.decision;

import io.nudge.engine.Decision;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Key figures per rule, per engagement type and per contact channel, computed from the stores when
 * asked: engagements offered and what became of them, suppressions by reason, and for interactions the
 * satisfaction, promoter scores and first-contact resolution. Plain maps, ready for JSON.
 *
 * <p>It reads every decision and timeline entry kept (within the retention), so it costs time in
 * proportion to the data; it is meant for an operator's dashboard, not for every request.
 */
public final class Statistics {
  /** A resolved contact counts as resolved at first contact when no other contact follows within this. */
  static final Duration FOLLOW_UP_WINDOW = Duration.ofDays(7);

  private Statistics() {}

  public static Map<String, Object> compute(DecisionLog decisions, TimelineStore timeline) {
    Map<String, Tally> byRule = new TreeMap<>();
    Map<String, Tally> byType = new TreeMap<>();
    Map<String, Integer> suppressed = new TreeMap<>();
    decisions.forEach(d -> {
      if (d.outcome() == Decision.Outcome.SUPPRESSED) {
        suppressed.merge(d.reason(), 1, Integer::sum);
        return;
      }
      List<OutcomeRecord> outcomes = decisions.outcomes(d.engagement().id());
      byRule.computeIfAbsent(d.engagement().rule(), k -> new Tally()).add(d, outcomes);
      byType.computeIfAbsent(d.engagement().type().id(), k -> new Tally()).add(d, outcomes);
    });
    Map<String, Object> engagements = new LinkedHashMap<>();
    engagements.put("byRule", tallies(byRule));
    engagements.put("byType", tallies(byType));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("engagements", engagements);
    out.put("suppressed", suppressed);
    out.put("interactions", interactions(timeline));
    return out;
  }

  private static Map<String, Object> tallies(Map<String, Tally> tallies) {
    Map<String, Object> out = new LinkedHashMap<>();
    tallies.forEach((k, t) -> out.put(k, t.toMap()));
    return out;
  }

  /** What became of the engagements one rule or type sent. */
  private static final class Tally {
    int offered;
    final Map<String, Integer> reached = new LinkedHashMap<>();
    final List<Long> secondsToAccept = new ArrayList<>();

    Tally() {
      for (String o : Outcomes.ALL) {
        reached.put(o, 0);
      }
    }

    void add(Decision d, List<OutcomeRecord> outcomes) {
      offered++;
      for (OutcomeRecord o : outcomes) {
        reached.merge(o.outcome(), 1, Integer::sum);
        if (o.outcome().equals("accepted")) {
          secondsToAccept.add(Math.max(0, Duration.between(d.decidedAt(), o.at()).toSeconds()));
        }
      }
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offered", offered);
      m.putAll(reached);
      m.put("acceptanceRate", rate(reached.get("accepted"), offered));
      m.put("conversionRate", rate(reached.get("converted"), offered));
      m.put("medianSecondsToAccept", median(secondsToAccept));
      return m;
    }
  }

  private static Map<String, Object> interactions(TimelineStore timeline) {
    Map<String, List<long[]>> byCustomer = new HashMap<>(); // {startedAt, resolved}
    Map<String, Channel> channels = new TreeMap<>();
    Map<String, List<String>> channelOf = new HashMap<>();
    timeline.forEach((customer, e) -> {
      if (!e.kind().equals("interaction")) {
        return;
      }
      Channel c = channels.computeIfAbsent(e.title(), k -> new Channel());
      c.count++;
      if (e.details().get("csat") instanceof Number n) {
        c.csat.add(n.doubleValue());
      }
      if (e.details().get("nps") instanceof Number n) {
        c.nps.add(n.doubleValue());
      }
      boolean resolved = Boolean.TRUE.equals(e.details().get("resolved"));
      byCustomer.computeIfAbsent(customer, k -> new ArrayList<>()).add(new long[] {e.at(), resolved ? 1 : 0});
      channelOf.computeIfAbsent(customer, k -> new ArrayList<>()).add(e.title());
    });
    byCustomer.forEach((customer, contacts) -> {
      List<String> names = channelOf.get(customer);
      for (int i = 0; i < contacts.size(); i++) {
        if (contacts.get(i)[1] == 0) {
          continue;
        }
        Channel c = channels.get(names.get(i));
        c.resolved++;
        long at = contacts.get(i)[0];
        boolean followed = false;
        for (long[] other : contacts) {
          if (other != contacts.get(i) && other[0] > at && other[0] - at <= FOLLOW_UP_WINDOW.toMillis()) {
            followed = true;
          }
        }
        if (!followed) {
          c.firstContact++;
        }
      }
    });
    Map<String, Object> out = new LinkedHashMap<>();
    channels.forEach((name, c) -> out.put(name, c.toMap()));
    return out;
  }

  /** Contacts of one channel. */
  private static final class Channel {
    int count;
    int resolved;
    int firstContact;
    final List<Double> csat = new ArrayList<>();
    final List<Double> nps = new ArrayList<>();

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", count);
      m.put("csatAverage", average(csat));
      m.put("npsAverage", average(nps));
      m.put("resolved", resolved);
      m.put("firstContactResolutionRate", rate(firstContact, resolved));
      return m;
    }
  }

  private static Double rate(int part, int whole) {
    return whole == 0 ? null : Math.round(1000.0 * part / whole) / 1000.0;
  }

  private static Double average(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return Math.round(100.0 * sum / values.size()) / 100.0;
  }

  private static Long median(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
