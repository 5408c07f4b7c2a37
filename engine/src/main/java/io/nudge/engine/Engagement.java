package io.nudge.engine;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A proactive engagement a rule asked for. It leaves Nudge only if the gate lets it through.
 *
 * @param id unique id, also the SSE event id and the webhook message id
 * @param type chat invitation, callback offer or tip
 * @param rule the name of the rule that fired
 * @param createdAt when the rule fired (engine clock)
 * @param customerId the customer's canonical id
 * @param anonymousId the customer's latest device id, or null
 * @param userId the customer's known id, or null
 * @param fields the type's fields: {@code queue} and {@code message} for chat and callback;
 *     {@code title}, {@code body} and optional {@code url} for a tip
 * @param context a short journey summary an agent can read: pages, cart, searches, reason; both maps
 *     keep the order they were built in
 */
public record Engagement(
    String id,
    EngagementType type,
    String rule,
    Instant createdAt,
    String customerId,
    String anonymousId,
    String userId,
    Map<String, String> fields,
    Map<String, Object> context) {

  public Engagement {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    context = Collections.unmodifiableMap(new LinkedHashMap<>(context));
  }

  /** The same engagement with one more entry in its context. */
  public Engagement withContext(String key, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(context);
    more.put(key, value);
    return new Engagement(id, type, rule, createdAt, customerId, anonymousId, userId, fields, more);
  }
}
