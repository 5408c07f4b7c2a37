package io.nudge.server.admin;

import io.nudge.engine.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A decision as the admin API shows it, in the customer's decisions and in their export. */
final class DecisionJson {
  private DecisionJson() {}

  /** The engagement, the decision and its reason. */
  static JsonObject of(Decision d) {
    return new JsonObject()
        .put("engagementId", d.engagement().id())
        .put("rule", d.engagement().rule())
        .put("type", d.engagement().type().id())
        .put("decidedAt", d.decidedAt().toString())
        .put("outcome", d.outcome().id())
        .put("reason", d.reason())
        .put("fields", new JsonObject(new LinkedHashMap<>(d.engagement().fields())));
  }

  /**
   * Why the decision went as it did: the rule's stated reason, the facts it matched (summarised),
   * the consent the gate saw, and for arbitration or a downgrade what won or what was asked first.
   */
  static JsonObject explanation(Decision d) {
    Map<String, Object> context = d.engagement().context();
    JsonObject out = new JsonObject()
        .put("ruleReason", context.getOrDefault("reason", d.engagement().rule()))
        .put("matched", new JsonArray(List.copyOf((List<?>) context.getOrDefault("matched", List.of()))));
    for (String key : List.of("consent", "arbitration", "downgradedFrom")) {
      if (context.get(key) instanceof Map<?, ?> m) {
        out.put(key, new JsonObject(new java.util.LinkedHashMap<>(cast(m))));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
