package io.nudge.engine.shard;

import io.nudge.engine.Event;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.TimelineStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a logged event looks like in the customer's timeline: a title and a few plain details. */
final class Timelines {
  /** Track properties worth showing an agent; anything else stays in the event log. */
  private static final List<String> TRACK_DETAILS = List.of("product_id", "name", "price", "quantity", "currency",
      "query", "form", "field", "step", "order_id", "total", "value");
  private static final List<String> INTERACTION_DETAILS = List.of("direction", "queue", "agentId", "caseId",
      "reason", "resolved", "csat", "nps");
  private static final List<String> OUTCOME_DETAILS = List.of("engagementId", "rule", "type");

  private Timelines() {}

  static TimelineStore.Entry entryOf(LoggedEvent le) {
    Event e = le.event();
    Map<String, Object> p = e.properties();
    return switch (e.type()) {
      case PAGE, SCREEN -> new TimelineStore.Entry(le.sequence(), le.receivedAt(), e.type().id(),
          pathOf(e), pick(Map.of("title", e.context().page() == null || e.context().page().title() == null
              ? "" : e.context().page().title()), List.of("title")));
      case TRACK -> new TimelineStore.Entry(le.sequence(), le.receivedAt(), "track", e.name(),
          pick(p, TRACK_DETAILS));
      case INTERACTION -> new TimelineStore.Entry(le.sequence(),
          p.get("startedAt") instanceof Number n ? n.longValue() : le.receivedAt(), "interaction",
          String.valueOf(p.get("channel")), pick(p, INTERACTION_DETAILS));
      case OUTCOME -> new TimelineStore.Entry(le.sequence(), le.receivedAt(), "outcome",
          String.valueOf(p.get("outcome")), pick(p, OUTCOME_DETAILS));
      default -> new TimelineStore.Entry(le.sequence(), le.receivedAt(), e.type().id(), e.type().id(), Map.of());
    };
  }

  private static String pathOf(Event e) {
    Object own = e.properties().get("path");
    if (own instanceof String s) {
      return s;
    }
    if (e.context().page() != null && e.context().page().path() != null) {
      return e.context().page().path();
    }
    return e.name() == null ? "" : e.name();
  }

  private static Map<String, Object> pick(Map<String, Object> from, List<String> keys) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : keys) {
      Object v = from.get(k);
      if (v instanceof String s && !s.isEmpty() && s.length() <= 200 || v instanceof Number || v instanceof Boolean) {
        out.put(k, v);
      }
    }
    return out;
  }
}
