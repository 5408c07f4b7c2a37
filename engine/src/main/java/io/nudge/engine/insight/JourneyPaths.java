package io.nudge.engine.insight;

import io.nudge.engine.Decision;
import io.nudge.engine.Event;
import io.nudge.engine.store.LoggedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The common paths through the site: each visit as its sequence of steps, the most frequent sequences,
 * and the nodes and links of a Sankey diagram of them.
 *
 * <p>A visit is a customer's run of events with no gap longer than the session timeout. Its steps are
 * its page and screen views, as {@linkplain PagePaths#normalise normalised paths} (a reload of the same
 * page is one step), and {@code engagement <type>} where an engagement was sent to the customer in
 * it. A visit of fewer steps than asked ends in {@code exit}: that is where customers drop off. A node
 * is a step at a position ({@code "3 /checkout"}), so the diagram has no cycles.
 */
final class JourneyPaths {
  static final String EXIT = "exit";

  private final int steps;
  private final int top;
  private final long timeoutMillis;

  JourneyPaths(int steps, int top, Duration sessionTimeout) {
    this.steps = steps;
    this.top = top;
    this.timeoutMillis = sessionTimeout.toMillis();
  }

  /** One thing in a customer's history: a page (label), another event (null label), an engagement. */
  private record Step(long at, int order, String label) {}

  Map<String, Object> compute(List<LoggedEvent> events, List<Decision> sent) {
    Map<String, List<Step>> byCustomer = new HashMap<>();
    for (LoggedEvent le : events) {
      byCustomer.computeIfAbsent(le.customerId(), k -> new ArrayList<>())
          .add(new Step(le.receivedAt(), 0, labelOf(le.event())));
    }
    for (Decision d : sent) {
      List<Step> history = byCustomer.get(d.engagement().customerId());
      if (history != null) { // an engagement without an event in the range has no visit to show it in
        history.add(new Step(d.decidedAt().toEpochMilli(), 1, "engagement " + d.engagement().type().id()));
      }
    }
    Map<List<String>, Integer> counts = new HashMap<>();
    int visits = 0;
    for (List<Step> history : byCustomer.values()) {
      history.sort(Comparator.comparingLong(Step::at).thenComparingInt(Step::order));
      for (List<String> path : visitsOf(history)) {
        counts.merge(path, 1, Integer::sum);
        visits++;
      }
    }
    List<Map.Entry<List<String>, Integer>> ranked = new ArrayList<>(counts.entrySet());
    ranked.sort(Map.Entry.<List<String>, Integer>comparingByValue().reversed()
        .thenComparing(e -> String.join("\n", e.getKey())));
    List<Map.Entry<List<String>, Integer>> shown = ranked.subList(0, Math.min(top, ranked.size()));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("events", events.size());
    out.put("visits", visits);
    out.put("visitsShown", shown.stream().mapToInt(Map.Entry::getValue).sum());
    out.put("steps", steps);
    List<Object> paths = new ArrayList<>();
    for (Map.Entry<List<String>, Integer> e : shown) {
      paths.add(Map.of("steps", e.getKey(), "visits", e.getValue()));
    }
    out.put("paths", paths);
    sankey(shown, out);
    return out;
  }

  /** The step labels of each visit in a customer's history, cut to {@link #steps}. */
  private List<List<String>> visitsOf(List<Step> history) {
    List<List<String>> out = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long last = Long.MIN_VALUE;
    for (Step s : history) {
      if (last != Long.MIN_VALUE && s.at() - last > timeoutMillis) {
        finish(current, out);
        current = new ArrayList<>();
      }
      last = Math.max(last, s.at());
      boolean repeat = !current.isEmpty() && current.get(current.size() - 1).equals(s.label());
      if (s.label() != null && !repeat) {
        current.add(s.label());
      }
    }
    finish(current, out);
    return out;
  }

  private void finish(List<String> visit, List<List<String>> out) {
    if (visit.stream().noneMatch(l -> !l.startsWith("engagement "))) {
      return; // no page seen: not a path through the site
    }
    if (visit.size() < steps) {
      List<String> path = new ArrayList<>(visit);
      path.add(EXIT);
      out.add(List.copyOf(path));
    } else {
      out.add(List.copyOf(visit.subList(0, steps)));
    }
  }

  private static void sankey(List<Map.Entry<List<String>, Integer>> shown, Map<String, Object> out) {
    Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
    Map<List<String>, Integer> links = new LinkedHashMap<>();
    for (Map.Entry<List<String>, Integer> e : shown) {
      List<String> path = e.getKey();
      String previous = null;
      for (int i = 0; i < path.size(); i++) {
        String name = (i + 1) + " " + path.get(i);
        int step = i + 1;
        String label = path.get(i);
        nodes.computeIfAbsent(name, n -> {
          Map<String, Object> node = new LinkedHashMap<>();
          node.put("name", n);
          node.put("step", step);
          node.put("label", label);
          return node;
        });
        if (previous != null) {
          links.merge(List.of(previous, name), e.getValue(), Integer::sum);
        }
        previous = name;
      }
    }
    List<Object> linkList = new ArrayList<>();
    links.forEach((ends, value) -> {
      Map<String, Object> link = new LinkedHashMap<>();
      link.put("source", ends.get(0));
      link.put("target", ends.get(1));
      link.put("value", value);
      linkList.add(link);
    });
    out.put("nodes", new ArrayList<>(nodes.values()));
    out.put("links", linkList);
  }

  /** The page path of a page or screen view; null for any other event. */
  private static String labelOf(Event e) {
    if (e.type() != Event.EventType.PAGE && e.type() != Event.EventType.SCREEN) {
      return null;
    }
    Object own = e.properties().get("path");
    if (own instanceof String s && !s.isBlank()) {
      return PagePaths.normalise(s);
    }
    if (e.context().page() != null && e.context().page().path() != null) {
      return PagePaths.normalise(e.context().page().path());
    }
    if (e.type() == Event.EventType.SCREEN && e.name() != null) {
      return e.name();
    }
    return "/";
  }
}
