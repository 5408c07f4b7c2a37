package io.nudge.server.dashboard;

import io.nudge.engine.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decision as the decision stream carries it: the fields of {@code GET /v1/customers/{id}/decisions}
 * (engagement, rule, type, outcome, reason, fields, explanation) and the customer it was about.
 */
final class DecisionEvents {
  private DecisionEvents() {}

  static JsonObject toJson(Decision d) {
    return new JsonObject()
        .put("customerId", d.engagement().customerId())
        .put("engagementId", d.engagement().id())
        .put("rule", d.engagement().rule())
        .put("type", d.engagement().type().id())
        .put("decidedAt", d.decidedAt().toString())
        .put("outcome", d.outcome().id())
        .put("reason", d.reason())
        .put("fields", new JsonObject(new LinkedHashMap<>(d.engagement().fields())))
        .put("explanation", explanation(d));
  }

  private static JsonObject explanation(Decision d) {
    Map<String, Object> context = d.engagement().context();
    JsonObject out = new JsonObject()
        .put("ruleReason", context.getOrDefault("reason", d.engagement().rule()))
        .put("matched", new JsonArray(List.copyOf((List<?>) context.getOrDefault("matched", List.of()))));
    for (String key : List.of("consent", "arbitration", "downgradedFrom")) {
      if (context.get(key) instanceof Map<?, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(String.valueOf(k), v));
        out.put(key, new JsonObject(copy));
      }
    }
    return out;
  }
}
