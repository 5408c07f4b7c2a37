package io.nudge.server.contactcentre;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class AgentContextRoutesTest {
  private static NudgeServer server;
  private static TestSupport.Client http;

  @BeforeAll
  static void start() throws Exception {
    server = TestSupport.startServer();
    http = TestSupport.client(server);
    String context = "\"context\":{\"consent\":{\"categoryPreferences\":{\"callback\":true}}}";
    String batch = "{\"batch\":["
        + "{\"type\":\"page\",\"anonymousId\":\"amy\",\"properties\":{\"path\":\"/products/lamp\"}," + context + "},"
        + "{\"type\":\"track\",\"anonymousId\":\"amy\",\"event\":\"Product Added\","
        + "\"properties\":{\"product_id\":\"lamp\",\"price\":120,\"currency\":\"EUR\",\"secret\":\"x\"}},"
        + "{\"type\":\"track\",\"anonymousId\":\"amy\",\"event\":\"Products Searched\","
        + "\"properties\":{\"query\":\"cancel order\"}}]}";
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, batch).statusCode()).isEqualTo(200);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (server.engine().decisions("amy").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static List<String> kinds(JsonArray timeline) {
    List<String> kinds = new ArrayList<>();
    timeline.forEach(o -> kinds.add(((JsonObject) o).getString("kind") + ":" + ((JsonObject) o).getString("title")));
    return kinds;
  }

  @Test
  void journey_showsSummaryAndOneTimelineNewestFirst_toTheIntegrationToken() {
    HttpResponse<String> r = http.get("/v1/customers/amy/journey", TestSupport.INTEGRATION);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    JsonObject summary = body.getJsonObject("summary");
    assertThat(summary.getString("intent")).isEqualTo("looking to cancel");
    assertThat(summary.getJsonObject("cart").getDouble("value")).isEqualTo(120.0);
    assertThat(summary.getJsonObject("consent").getString("callback")).isEqualTo("granted");
    assertThat(summary.getJsonObject("consent").getString("proactive_chat")).isEqualTo("unset");
    assertThat(kinds(body.getJsonArray("timeline"))).containsExactly(
        "engagement:callback", "track:Products Searched", "track:Product Added", "page:/products/lamp");
    JsonObject added = body.getJsonArray("timeline").getJsonObject(2).getJsonObject("details");
    assertThat(added.getMap()).containsKeys("product_id", "price").doesNotContainKey("secret");
    assertThat(body.getValue("next")).isNull();
  }

  @Test
  void journey_pagesWithTheNextCursor() {
    JsonObject first = new JsonObject(http.get("/v1/customers/amy/journey?limit=2", TestSupport.INTEGRATION).body());
    assertThat(kinds(first.getJsonArray("timeline")))
        .containsExactly("engagement:callback", "track:Products Searched", "track:Product Added");

    JsonObject second = new JsonObject(http.get("/v1/customers/amy/journey?limit=2&before="
        + first.getString("next"), TestSupport.INTEGRATION).body());

    assertThat(kinds(second.getJsonArray("timeline"))).containsExactly("page:/products/lamp");
    assertThat(second.getValue("next")).isNull();
  }

  @Test
  void journey_adminTokenToo_butNotAWriteKey() {
    assertThat(http.get("/v1/customers/amy/journey", TestSupport.ADMIN).statusCode()).isEqualTo(200);
    HttpResponse<String> r = http.get("/v1/customers/amy/journey", TestSupport.WRITE_KEY);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(http.get("/v1/customers/amy/journey", null).statusCode()).isEqualTo(401);
  }

  @Test
  void journey_unknownCustomer_returns404_badLimit_returns400() {
    HttpResponse<String> unknown = http.get("/v1/customers/nobody/journey", TestSupport.INTEGRATION);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no customer is known by id \\\"nobody\\\"\"}");

    HttpResponse<String> bad = http.get("/v1/customers/amy/journey?limit=0", TestSupport.INTEGRATION);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"error\":\"limit is 0, must be between 1 and 500\",\"field\":\"limit\"}");

    HttpResponse<String> cursor = http.get("/v1/customers/amy/journey?before=yesterday", TestSupport.INTEGRATION);
    assertThat(cursor.statusCode()).isEqualTo(400);
    assertThat(cursor.body()).isEqualTo(
        "{\"error\":\"before is \\\"yesterday\\\", not the next cursor of an earlier page\",\"field\":\"before\"}");
  }
}
