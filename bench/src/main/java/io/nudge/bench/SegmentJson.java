package io.nudge.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes an engine {@link Event} back as the Segment call a site would have sent. */
final class SegmentJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SegmentJson() {}

  static void append(StringBuilder b, Event e) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("type", e.type().id());
    call.put("messageId", e.messageId());
    if (e.anonymousId() != null) {
      call.put("anonymousId", e.anonymousId());
    }
    if (e.userId() != null) {
      call.put("userId", e.userId());
    }
    if (e.name() != null) {
      call.put("event", e.name());
    }
    if (!e.properties().isEmpty()) {
      call.put("properties", e.properties());
    }
    if (!e.traits().isEmpty()) {
      call.put("traits", e.traits());
    }
    call.put("timestamp", e.timestamp().toString());
    Map<String, Object> context = new LinkedHashMap<>();
    if (e.context().page() != null) {
      context.put("page", Map.of("path", e.context().page().path()));
    }
    if (!e.context().consent().isEmpty()) {
      Map<String, Object> prefs = new LinkedHashMap<>();
      for (Map.Entry<Purpose, Boolean> c : e.context().consent().entrySet()) {
        prefs.put(c.getKey().id(), c.getValue());
      }
      context.put("consent", Map.of("categoryPreferences", prefs));
    }
    if (!context.isEmpty()) {
      call.put("context", context);
    }
    try {
      b.append(JSON.writeValueAsString(call));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write event " + e.messageId() + " as JSON", ex);
    }
  }
}
