package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

final class EngagementJsonTest {

  @Test
  void toJson_chat_hasEnvelopeQueueMessageAndContextInFixedOrder() {
    String json = EngagementJson.toJson(TestEngagements.chat("eng-1", "anon-a")).encode();

    assertThat(json).isEqualTo("{\"id\":\"eng-1\",\"type\":\"proactive_chat\",\"rule\":\"cart_hesitation\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"customerId\":\"cust-anon-a\",\"anonymousId\":\"anon-a\","
        + "\"queue\":\"sales\",\"message\":\"Need a hand with your order?\","
        + "\"context\":{\"cartValue\":120.5,\"pages\":[\"/cart\",\"/checkout\"]}}");
  }

  @Test
  void toJson_tipWithoutAnonymousId_omitsNullsAndPutsTitleBodyUrlAtTopLevel() {
    String json = EngagementJson.toJson(TestEngagements.tip("eng-2")).encode();

    assertThat(json).isEqualTo("{\"id\":\"eng-2\",\"type\":\"tip\",\"rule\":\"size_guide\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"customerId\":\"cust-9\",\"userId\":\"user-9\","
        + "\"title\":\"Between sizes?\",\"body\":\"Our size guide helps.\",\"url\":\"https://shop.example/size\","
        + "\"context\":{}}");
  }

  @Test
  void toVisitorJson_dropsContextCustomerIdAndUserId() {
    Engagement e = new Engagement("eng-3", EngagementType.CALLBACK, "high_value_cart",
        Instant.parse("2026-01-02T03:04:05Z"), "cust-1", "anon-a", "user-1",
        Map.of("queue", "callbacks", "message", "Shall we call you?"), Map.of("cartValue", 900));

    String json = EngagementJson.toVisitorJson(e).encode();

    assertThat(json).isEqualTo("{\"id\":\"eng-3\",\"type\":\"callback\",\"rule\":\"high_value_cart\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"anonymousId\":\"anon-a\","
        + "\"queue\":\"callbacks\",\"message\":\"Shall we call you?\"}");
  }

  @Test
  void toVisitorJson_carriesTheRulesWhy_butNotTheJourneyOrTheMatchedFacts() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("reason", "You have spent a while on checkout with items in your cart");
    context.put("dataUsed", "the page you are on, your cart");
    context.put("pages", List.of("/secret-page"));
    context.put("matched", List.of("event page /checkout"));
    Engagement e = new Engagement("eng-4", EngagementType.TIP, "checkout-tip", Instant.parse("2026-01-02T03:04:05Z"),
        "cust-1", "anon-a", "user-1", Map.of("title", "Help", "body", "Ask us"), context);

    JsonObject json = EngagementJson.toVisitorJson(e);

    assertThat(json.getJsonObject("why").encode()).isEqualTo("{\"reason\":\"You have spent a while on checkout "
        + "with items in your cart\",\"dataUsed\":\"the page you are on, your cart\",\"purpose\":\"personalization\"}");
    assertThat(json.encode()).doesNotContain("secret-page").doesNotContain("matched").doesNotContain("cust-1");
  }

  @Test
  void toJson_contextOfEngineTypes_becomesPlainJsonInTheEngineOrder_unorderedMapsSorted() {
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("z", 1);
    ordered.put("a", 2);
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("since", Instant.parse("2026-01-01T00:00:00Z"));
    context.put("type", EngagementType.TIP);
    context.put("searches", new TreeSet<>(Set.of("boots", "alpha")));
    context.put("ordered", ordered);
    context.put("unordered", Map.of("y", 1, "b", List.of(1.5, 2)));
    context.put("ratio", Double.NaN);
    Engagement e = new Engagement("eng-4", EngagementType.TIP, "r", Instant.parse("2026-01-02T03:04:05Z"),
        "cust-1", null, null, Map.of("title", "t", "body", "b"), context);

    String json = EngagementJson.toJson(e).getJsonObject("context").encode();

    assertThat(json).isEqualTo("{\"since\":\"2026-01-01T00:00:00Z\",\"type\":\"TIP\",\"searches\":[\"alpha\",\"boots\"],"
        + "\"ordered\":{\"z\":1,\"a\":2},\"unordered\":{\"b\":[1.5,2],\"y\":1},\"ratio\":\"NaN\"}");
  }

  @Test
  void toJson_fieldNamedLikeTheEnvelope_doesNotOverwriteIt() {
    Engagement e = new Engagement("eng-5", EngagementType.TIP, "r", Instant.parse("2026-01-02T03:04:05Z"),
        "cust-1", null, null, Map.of("title", "t", "body", "b", "id", "forged", "badge", "new"), Map.of());

    assertThat(EngagementJson.toJson(e).encode()).isEqualTo("{\"id\":\"eng-5\",\"type\":\"tip\",\"rule\":\"r\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"customerId\":\"cust-1\",\"title\":\"t\",\"body\":\"b\","
        + "\"badge\":\"new\",\"context\":{}}");
  }
}
