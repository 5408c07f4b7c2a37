package io.nudge.server.delivery;

import io.nudge.engine.Engagement;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The JSON shape of an engagement, the same on the webhook, the agent stream and (trimmed) the visitor
 * stream. Key order is fixed so that payloads are stable and diffable: the context keeps the
 * order the engine built it in; maps of unknown order are sorted.
 */
public final class EngagementJson {

  /** Type fields in the order a reader expects them; any other field follows, sorted. */
  private static final List<String> FIELD_ORDER = List.of("queue", "message", "title", "body", "url");

  /** Names of the envelope; a type field of the same name would overwrite them, so it is left out. */
  private static final Set<String> RESERVED = Set.of(
      "id", "type", "rule", "createdAt", "customerId", "anonymousId", "userId", "context");

  private EngagementJson() {}

  /**
   * The full engagement, for systems the operator owns (webhook receiver, chat system):
   * {@code id, type, rule, createdAt, customerId, anonymousId?, userId?, <type fields>, context}.
   */
  public static JsonObject toJson(Engagement e) {
    JsonObject json = envelope(e);
    json.put("customerId", e.customerId());
    putIfNotNull(json, "anonymousId", e.anonymousId());
    putIfNotNull(json, "userId", e.userId());
    putFields(json, e.fields());
    json.put("context", jsonObject(e.context()));
    return json;
  }

  /**
   * What the visitor's own browser may see: the envelope and the type fields, without the journey
   * summary (it is for agents) and without the customer's canonical and known ids.
   */
  public static JsonObject toVisitorJson(Engagement e) {
    JsonObject json = envelope(e);
    putIfNotNull(json, "anonymousId", e.anonymousId());
    putFields(json, e.fields());
    Object reason = e.context().get("reason");
    if (reason != null && !reason.toString().isEmpty()) {
      json.put("why", why(e, reason.toString()));
    }
    return json;
  }

  /**
   * What the visitor reads under "Why am I seeing this?": the rule's {@code @reason} and {@code @dataUsed},
   * written by the analyst for customers, and the purpose "Don't show me offers like this" turns off. Never
   * the journey summary or the facts the rule matched.
   */
  private static JsonObject why(Engagement e, String reason) {
    JsonObject why = new JsonObject().put("reason", reason);
    Object dataUsed = e.context().get("dataUsed");
    if (dataUsed != null && !dataUsed.toString().isEmpty()) {
      why.put("dataUsed", dataUsed.toString());
    }
    return why.put("purpose", e.type().purpose().id());
  }

  private static JsonObject envelope(Engagement e) {
    return new JsonObject()
        .put("id", e.id())
        .put("type", e.type().id())
        .put("rule", e.rule())
        .put("createdAt", e.createdAt().toString());
  }

  private static void putFields(JsonObject json, Map<String, String> fields) {
    for (String name : FIELD_ORDER) {
      putIfNotNull(json, name, fields.get(name));
    }
    for (Map.Entry<String, String> f : new TreeMap<>(fields).entrySet()) {
      if (!FIELD_ORDER.contains(f.getKey()) && !RESERVED.contains(f.getKey())) {
        putIfNotNull(json, f.getKey(), f.getValue());
      }
    }
  }

  private static void putIfNotNull(JsonObject json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  /**
   * Converts context values to plain JSON values here rather than trusting the codec: the engine may put
   * instants, enums or sets in the journey summary, which the default codec rejects or writes oddly.
   */
  static Object jsonValue(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean
        || v instanceof JsonObject || v instanceof JsonArray) {
      return v;
    }
    if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
      return v.toString(); // NaN and Infinity are not JSON numbers
    }
    if (v instanceof Number) {
      return v;
    }
    if (v instanceof Map<?, ?> m) {
      return jsonObject(m instanceof SortedMap || m instanceof LinkedHashMap ? m : sorted(m));
    }
    if (v instanceof Collection<?> c) {
      return jsonArray(c);
    }
    if (v instanceof Object[] array) {
      return jsonArray(Arrays.asList(array));
    }
    return v.toString(); // instants, dates, enums, ids: their string form is their JSON form
  }

  private static JsonObject jsonObject(Map<?, ?> map) {
    JsonObject json = new JsonObject();
    map.forEach((k, val) -> json.put(String.valueOf(k), jsonValue(val)));
    return json;
  }

  private static JsonArray jsonArray(Collection<?> values) {
    List<Object> list = new ArrayList<>(values.size());
    for (Object val : values) {
      list.add(jsonValue(val));
    }
    return new JsonArray(list);
  }

  private static Map<String, Object> sorted(Map<?, ?> m) {
    Map<String, Object> sorted = new TreeMap<>();
    m.forEach((k, val) -> sorted.put(String.valueOf(k), val));
    return sorted;
  }
}
