package io.nudge.server.delivery;

import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Engagement records as the engine builds them, with fixed values so outputs can be asserted exactly. */
final class TestEngagements {
  static final Instant CREATED = Instant.parse("2026-01-02T03:04:05Z");

  private TestEngagements() {}

  static Engagement chat(String id, String anonymousId) {
    return new Engagement(id, EngagementType.PROACTIVE_CHAT, "cart_hesitation", CREATED, "cust-" + anonymousId,
        anonymousId, null, Map.of("queue", "sales", "message", "Need a hand with your order?"),
        context());
  }

  /** In a fixed order, as the engine builds it. */
  private static Map<String, Object> context() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("cartValue", 120.5);
    context.put("pages", List.of("/cart", "/checkout"));
    return context;
  }

  static Engagement tip(String id) {
    return new Engagement(id, EngagementType.TIP, "size_guide", CREATED, "cust-9", null, "user-9",
        Map.of("title", "Between sizes?", "body", "Our size guide helps.", "url", "https://shop.example/size"),
        Map.of());
  }
}
