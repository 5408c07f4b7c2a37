package io.nudge.server.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an engine {@link Event} back as the Segment call a site would have sent, with what the rules
 * read: type, ids, event name, properties, traits, time, page, time zone and consent. {@link SegmentParser}
 * reads it back to the same event, so an exported event file can be replayed or ingested again.
 */
public final class SegmentWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SegmentWriter() {}

  /** The call as one line of JSON. */
  public static String toJson(Event e) {
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
    Event.EventContext c = e.context();
    if (c != null && c.page() != null && c.page().path() != null) {
      context.put("page", Map.of("path", c.page().path()));
    }
    if (c != null && c.timezone() != null) {
      context.put("timezone", c.timezone());
    }
    if (c != null && !c.consent().isEmpty()) {
      Map<String, Object> prefs = new LinkedHashMap<>();
      for (Map.Entry<Purpose, Boolean> choice : c.consent().entrySet()) {
        prefs.put(choice.getKey().id(), choice.getValue());
      }
      context.put("consent", Map.of("categoryPreferences", prefs));
    }
    if (!context.isEmpty()) {
      call.put("context", context);
    }
    try {
      return JSON.writeValueAsString(call);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write event " + e.messageId() + " as JSON", ex);
    }
  }
}
