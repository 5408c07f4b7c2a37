package io.nudge.server.privacy;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.JsonBodies;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;

/** Consent choices as the HTTP API reads and shows them, for the admin and for the visitor alike. */
public final class ConsentChoices {
  private ConsentChoices() {}

  /**
   * Reads {@code {"proactive_chat": false, "analytics": "granted"}}: purpose ids with {@code true},
   * {@code false}, {@code "granted"} or {@code "denied"}.
   *
   * @throws ApiError 400 naming an unknown purpose or a value that is none of the four, or when no
   *     purpose is named
   */
  public static Map<Purpose, Boolean> parse(JsonObject body) {
    Map<Purpose, Boolean> choices = new EnumMap<>(Purpose.class);
    for (String name : body.fieldNames()) {
      String shown = JsonBodies.shorten(name);
      Purpose purpose = Purpose.fromId(name).orElseThrow(() -> ApiError.badField(shown,
          "unknown purpose \"" + shown + "\": use analytics, personalization, proactive_chat or callback"));
      Object value = body.getValue(name);
      if (value instanceof Boolean b) {
        choices.put(purpose, b);
      } else if ("granted".equals(value) || "denied".equals(value)) {
        choices.put(purpose, "granted".equals(value));
      } else {
        throw ApiError.badField(purpose.id(), purpose.id() + " must be true, false, \"granted\" or \"denied\"");
      }
    }
    if (choices.isEmpty()) {
      throw ApiError.badRequest("body names no purpose: send for example {\"proactive_chat\": false}");
    }
    return choices;
  }

  /**
   * Every purpose with its state ({@code granted}, {@code denied}, {@code unset}), whether engagements
   * needing it may be sent under the server's default, and where and when the choice was made.
   */
  public static JsonObject all(Map<Purpose, ConsentRecord> current, ConsentDefault whenUnset) {
    JsonObject out = new JsonObject();
    for (Purpose p : Purpose.values()) {
      ConsentRecord c = current.get(p);
      JsonObject one = new JsonObject()
          .put("state", c == null ? "unset" : c.granted() ? "granted" : "denied")
          .put("allowed", c == null ? whenUnset == ConsentDefault.OPT_OUT : c.granted());
      if (c != null) {
        one.put("source", c.source()).put("at", c.at().toString());
      }
      out.put(p.id(), one);
    }
    return out;
  }
}
