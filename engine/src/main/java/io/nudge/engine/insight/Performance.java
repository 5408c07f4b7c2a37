package io.nudge.engine.insight;

import io.nudge.engine.Decision;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How engagements performed over a range, from the decisions and outcomes kept and the customers'
 * timelines. Definitions, which docs/api.md repeats for the user:
 *
 * <ul>
 *   <li>A decision counts in the bucket its {@code decidedAt} falls in; what became of it later counts
 *       there too, so a bucket's figures grow as outcomes arrive.
 *   <li><b>offered</b>: the gate sent it (outcome {@code sent}, or {@code expired} when the webhook gave
 *       up later). <b>accepted</b>, <b>declined</b>, <b>ignored</b>: that outcome was reported.
 *   <li><b>converted</b>: the {@code converted} outcome was reported, or the engagement was accepted and
 *       the customer completed an order ({@code Order Completed}) within the conversion window after the
 *       decision. The window is the session timeout: the rest of the visit, roughly.
 *   <li><b>holdout uplift</b> of a rule: the share of offered decisions whose customer completed an order
 *       within the window, minus the same share for the decisions held out ({@code holdout}), accepted
 *       or not: both groups are measured the same way.
 * </ul>
 */
final class Performance {
  static final String ORDER_COMPLETED = "Order Completed";
  private static final List<String> COUNTS = List.of("offered", "accepted", "declined", "ignored", "converted");

  private final Instant from;
  private final Instant to;
  private final Duration bucket;
  private final Duration window;
  private final int buckets;

  Performance(Instant from, Instant to, Duration bucket, Duration window) {
    this.from = from;
    this.to = to;
    this.bucket = bucket;
    this.window = window;
    this.buckets = (int) bucketCount(from, to, bucket);
  }

  static long bucketCount(Instant from, Instant to, Duration bucket) {
    long span = Duration.between(from, to).toMillis();
    long size = bucket.toMillis();
    return (span + size - 1) / size;
  }

  /** The sent decisions of the range, in no particular order. */
  static List<Decision> sentBetween(DecisionLog decisions, Instant from, Instant to) {
    List<Decision> out = new ArrayList<>();
    decisions.forEach(d -> {
      if (d.outcome() != Decision.Outcome.SUPPRESSED && within(d, from, to)) {
        out.add(d);
      }
    });
    return out;
  }

  Map<String, Object> compute(DecisionLog decisions, TimelineStore timeline) {
    List<Decision> inRange = new ArrayList<>();
    decisions.forEach(d -> {
      if (within(d, from, to)) {
        inRange.add(d);
      }
    });
    Set<String> customers = new HashSet<>();
    inRange.forEach(d -> customers.add(d.engagement().customerId()));
    Map<String, List<Long>> orders = ordersOf(customers, timeline);

    Map<String, Series> byRule = new TreeMap<>();
    Map<String, Series> byType = new TreeMap<>();
    Map<String, long[]> suppressed = new TreeMap<>();
    Map<String, Uplift> holdout = new TreeMap<>();
    for (Decision d : inRange) {
      int i = bucketOf(d.decidedAt());
      boolean ordered = orderedAfter(orders.get(d.engagement().customerId()), d.decidedAt());
      if (d.outcome() == Decision.Outcome.SUPPRESSED) {
        suppressed.computeIfAbsent(d.reason(), k -> new long[buckets])[i]++;
        if (d.reason().equals("holdout")) {
          holdout.computeIfAbsent(d.engagement().rule(), k -> new Uplift()).heldOut(ordered);
        }
        continue;
      }
      List<OutcomeRecord> outcomes = decisions.outcomes(d.engagement().id());
      byRule.computeIfAbsent(d.engagement().rule(), k -> new Series()).add(i, outcomes, ordered);
      byType.computeIfAbsent(d.engagement().type().id(), k -> new Series()).add(i, outcomes, ordered);
      holdout.computeIfAbsent(d.engagement().rule(), k -> new Uplift()).offered(ordered);
    }

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", from.toString());
    out.put("to", to.toString());
    out.put("bucket", Insights.format(bucket));
    out.put("conversionWindow", Insights.format(window));
    out.put("decisions", inRange.size());
    out.put("buckets", bucketStarts());
    out.put("byRule", seriesMap(byRule));
    out.put("byType", seriesMap(byType));
    Map<String, Object> reasons = new LinkedHashMap<>();
    suppressed.forEach((reason, counts) -> reasons.put(reason, Map.of("total", sum(counts),
        "series", list(counts))));
    out.put("suppressed", reasons);
    Map<String, Object> uplift = new LinkedHashMap<>();
    holdout.forEach((rule, u) -> {
      if (u.heldOut > 0) {
        uplift.put(rule, u.toMap());
      }
    });
    out.put("holdout", uplift);
    return out;
  }

  private static boolean within(Decision d, Instant from, Instant to) {
    return !d.decidedAt().isBefore(from) && d.decidedAt().isBefore(to);
  }

  private int bucketOf(Instant at) {
    return (int) Math.min(buckets - 1, Duration.between(from, at).toMillis() / bucket.toMillis());
  }

  private List<String> bucketStarts() {
    List<String> out = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      out.add(from.plus(bucket.multipliedBy(i)).toString());
    }
    return out;
  }

  /** When each of these customers completed an order, from their timelines. */
  private Map<String, List<Long>> ordersOf(Set<String> customers, TimelineStore timeline) {
    Map<String, List<Long>> out = new HashMap<>();
    if (customers.isEmpty()) {
      return out;
    }
    long earliest = from.toEpochMilli();
    long latest = to.plus(window).toEpochMilli();
    timeline.forEach((customer, e) -> {
      if (e.kind().equals("track") && ORDER_COMPLETED.equals(e.title()) && e.at() >= earliest && e.at() <= latest
          && customers.contains(customer)) {
        out.computeIfAbsent(customer, k -> new ArrayList<>()).add(e.at());
      }
    });
    return out;
  }

  private boolean orderedAfter(List<Long> orders, Instant decidedAt) {
    if (orders == null) {
      return false;
    }
    long start = decidedAt.toEpochMilli();
    long end = decidedAt.plus(window).toEpochMilli();
    for (long at : orders) {
      if (at >= start && at <= end) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> seriesMap(Map<String, Series> series) {
    Map<String, Object> out = new LinkedHashMap<>();
    series.forEach((k, s) -> out.put(k, s.toMap()));
    return out;
  }

  /** One rule's or type's counts, per bucket. */
  private final class Series {
    final Map<String, long[]> counts = new LinkedHashMap<>();

    Series() {
      for (String c : COUNTS) {
        counts.put(c, new long[buckets]);
      }
    }

    void add(int i, List<OutcomeRecord> outcomes, boolean ordered) {
      counts.get("offered")[i]++;
      boolean accepted = false;
      boolean converted = false;
      for (OutcomeRecord o : outcomes) {
        switch (o.outcome()) {
          case "accepted", "declined", "ignored" -> counts.get(o.outcome())[i]++;
          default -> { }
        }
        accepted |= o.outcome().equals("accepted");
        converted |= o.outcome().equals("converted");
      }
      if (converted || accepted && ordered) {
        counts.get("converted")[i]++;
      }
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      Map<String, Object> total = new LinkedHashMap<>();
      counts.forEach((name, c) -> {
        m.put(name, list(c));
        total.put(name, sum(c));
      });
      m.put("total", total);
      return m;
    }
  }

  /** A rule's offered and held-out decisions, and how many of each were followed by an order. */
  private static final class Uplift {
    long offered;
    long offeredOrdered;
    long heldOut;
    long heldOutOrdered;

    void offered(boolean ordered) {
      offered++;
      offeredOrdered += ordered ? 1 : 0;
    }

    void heldOut(boolean ordered) {
      heldOut++;
      heldOutOrdered += ordered ? 1 : 0;
    }

    Map<String, Object> toMap() {
      Double offeredRate = rate(offeredOrdered, offered);
      Double heldOutRate = rate(heldOutOrdered, heldOut);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offered", offered);
      m.put("offeredConverted", offeredOrdered);
      m.put("offeredConversionRate", offeredRate);
      m.put("heldOut", heldOut);
      m.put("heldOutConverted", heldOutOrdered);
      m.put("heldOutConversionRate", heldOutRate);
      m.put("uplift", offeredRate == null || heldOutRate == null ? null
          : Math.round(1000.0 * (offeredRate - heldOutRate)) / 1000.0);
      return m;
    }
  }

  private static Double rate(long part, long whole) {
    return whole == 0 ? null : Math.round(1000.0 * part / whole) / 1000.0;
  }

  private static long sum(long[] counts) {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }

  private static List<Long> list(long[] counts) {
    List<Long> out = new ArrayList<>(counts.length);
    for (long c : counts) {
      out.add(c);
    }
    return out;
  }
}
