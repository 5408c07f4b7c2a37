package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Across channels with the real server: a phone call the contact centre posts makes the customer's
 * next web visit bring a chat invitation that names the case; once declined, no chat is offered again
 * in that visit.
 */
final class CrossChannelEndToEndTest {
  private final ManualClock clock = new ManualClock();
  private NudgeServer server;
  private TestSupport.Client http;

  @BeforeEach
  void start() {
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), clock);
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String path, String bearer, String json) {
    return http.send(HttpRequest.newBuilder(http.uri(path)).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private JsonArray awaitDecisions(String customer, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = http.get("/v1/customers/" + customer + "/decisions", TestSupport.ADMIN);
      JsonArray decisions = r.statusCode() == 200 ? new JsonObject(r.body()).getJsonArray("decisions") : new JsonArray();
      if (decisions.size() >= n || System.nanoTime() > deadline) {
        return decisions;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void twoDevicesBrowseAnonymously_thenBothSignIn_oneCustomerWithBothJourneys() throws Exception {
    String laptop = "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"laptop-9\",\"properties\":{\"path\":\"/tv\"}},"
        + "{\"type\":\"track\",\"anonymousId\":\"laptop-9\",\"event\":\"Product Added\","
        + "\"properties\":{\"product_id\":\"tv\",\"price\":800}}]}";
    String phone = "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"phone-9\",\"properties\":{\"path\":\"/soundbar\"}},"
        + "{\"type\":\"identify\",\"anonymousId\":\"phone-9\",\"userId\":\"user-9\"}]}";
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, laptop).statusCode()).isEqualTo(200);
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, phone).statusCode()).isEqualTo(200);

    assertThat(http.postSegment("/v1/identify", TestSupport.WRITE_KEY,
        "{\"anonymousId\":\"laptop-9\",\"userId\":\"user-9\"}").statusCode()).isEqualTo(200);

    JsonObject customer = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      customer = new JsonObject(http.get("/v1/customers/laptop-9", TestSupport.ADMIN).body());
      JsonObject journey = customer.getJsonObject("journey");
      if (journey != null && journey.getJsonObject("cart").getJsonArray("items").size() == 1
          && journey.getInteger("pageViewsThisSession") + journey.getInteger("pageViewsBefore") == 2) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(customer.getString("customerId")).isEqualTo("phone-9");
    assertThat(customer.getJsonArray("anonymousIds")).containsExactly("laptop-9", "phone-9");
    assertThat(customer.getJsonArray("merged")).containsExactly("laptop-9");
    java.util.Map<String, String> reasons = new java.util.TreeMap<>();
    customer.getJsonArray("links").forEach(l -> reasons.put(((JsonObject) l).getString("id"),
        ((JsonObject) l).getString("reason")));
    assertThat(reasons).containsExactly(java.util.Map.entry("laptop-9", "merge"),
        java.util.Map.entry("phone-9", "first seen"), java.util.Map.entry("user-9", "identify"));
    JsonObject journey = customer.getJsonObject("journey");
    assertThat(journey.getInteger("pageViewsThisSession") + journey.getInteger("pageViewsBefore")).isEqualTo(2);
    assertThat(journey.getJsonObject("cart").getDouble("value")).isEqualTo(800.0);
  }

  @Test
  void contactCentreRecordWithOnlyAnEmail_landsOnTheCustomerWhoseIdentifyGaveIt() throws Exception {
    assertThat(http.postSegment("/v1/identify", TestSupport.WRITE_KEY,
        "{\"anonymousId\":\"tab-3\",\"userId\":\"user-3\",\"traits\":{\"email\":\"Cleo@Example.com\"}}")
        .statusCode()).isEqualTo(200);

    HttpResponse<String> r = post("/v1/interactions", TestSupport.INTEGRATION, "{\"channel\":\"email\","
        + "\"startedAt\":\"2026-11-23T09:00:00Z\",\"customer\":{\"email\":\" cleo@example.COM\"}}");

    assertThat(r.statusCode()).isEqualTo(202);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int contacts = 0;
    while (contacts == 0 && System.nanoTime() < deadline) {
      contacts = server.engine().journey("user-3").get(5, TimeUnit.SECONDS).orElseThrow().getInteractionCount();
      Thread.sleep(20);
    }
    assertThat(contacts).isEqualTo(1);
    JsonObject customer = new JsonObject(http.get("/v1/customers/user-3", TestSupport.ADMIN).body());
    assertThat(customer.encode()).doesNotContain("cleo", "Cleo");
  }

  @Test
  void phoneCallWithAnOpenCase_nextVisitInvitesToChatNamingTheCase_andADeclineStopsFurtherChatOffers()
      throws Exception {
    String consent = "\"context\":{\"consent\":{\"categoryPreferences\":{\"proactive_chat\":true}}}";
    assertThat(http.postSegment("/v1/identify", TestSupport.WRITE_KEY,
        "{\"anonymousId\":\"laptop-1\",\"userId\":\"user-7\"," + consent + "}").statusCode()).isEqualTo(200);
    String call = "{\"id\":\"call-1\",\"channel\":\"call\",\"startedAt\":\"2026-11-22T15:00:00Z\","
        + "\"queue\":\"billing\",\"caseId\":\"case-77\",\"reason\":\"double charge\",\"resolved\":false,"
        + "\"customer\":{\"userId\":\"user-7\"}}";
    assertThat(post("/v1/interactions", TestSupport.INTEGRATION, call).statusCode()).isEqualTo(202);

    assertThat(http.postSegment("/v1/page", TestSupport.WRITE_KEY,
        "{\"anonymousId\":\"laptop-1\",\"properties\":{\"path\":\"/account\"}}").statusCode()).isEqualTo(200);

    JsonObject offer = awaitDecisions("user-7", 1).getJsonObject(0);
    assertThat(offer.getString("rule")).isEqualTo("unresolved-contact-followup");
    assertThat(offer.getString("outcome")).isEqualTo("sent");
    assertThat(offer.getJsonObject("fields").getString("queue")).isEqualTo("billing");
    java.util.Map<String, Object> context = server.engine().decisions("user-7").get(0).engagement().context();
    assertThat(context).containsEntry("intent", "has an open case").containsEntry("openCases", java.util.List.of("case-77"))
        .containsKey("lastContact");
    assertThat(context.get("consent")).isEqualTo(java.util.Map.of("analytics", "unset", "personalization", "unset",
        "proactive_chat", "granted", "callback", "unset"));
    JsonObject journey = new JsonObject(http.get("/v1/customers/user-7/journey", TestSupport.INTEGRATION).body());
    assertThat(journey.getJsonObject("summary").getJsonArray("openCases")).containsExactly("case-77");
    assertThat(journey.getJsonObject("summary").getJsonObject("lastContact").getString("reason"))
        .isEqualTo("double charge");

    HttpResponse<String> declined = post("/v1/engagements/" + offer.getString("engagementId") + "/outcome",
        TestSupport.INTEGRATION, "{\"outcome\":\"declined\"}");
    assertThat(declined.statusCode()).isEqualTo(200);
    // the same visit: a full cart idling at checkout would otherwise bring a sales chat
    String cart = "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"laptop-1\",\"event\":\"Product Added\","
        + "\"properties\":{\"product_id\":\"tv\",\"price\":800}},"
        + "{\"type\":\"page\",\"anonymousId\":\"laptop-1\",\"properties\":{\"path\":\"/checkout\"}}]}";
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, cart).statusCode()).isEqualTo(200);
    server.engine().journey("user-7").get(5, TimeUnit.SECONDS); // the shard has applied the batch
    clock.advance(Duration.ofSeconds(31));
    // without the decline, checkout-hesitation's chat would be decided within a few ticks
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < until && server.engine().decisions("user-7").size() == 1) {
      Thread.sleep(20);
    }

    assertThat(server.engine().decisions("user-7")).as("no second chat offer after the decline").hasSize(1);

    HttpResponse<String> stats = http.get("/v1/stats", TestSupport.ADMIN);
    assertThat(stats.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(stats.body());
    JsonObject rule = body.getJsonObject("engagements").getJsonObject("byRule")
        .getJsonObject("unresolved-contact-followup");
    assertThat(rule.getInteger("offered")).isEqualTo(1);
    assertThat(rule.getInteger("declined")).isEqualTo(1);
    assertThat(rule.getDouble("acceptanceRate")).isEqualTo(0.0);
    assertThat(body.getJsonObject("interactions").getJsonObject("call").getInteger("count")).isEqualTo(1);
    assertThat(http.get("/v1/stats", TestSupport.INTEGRATION).statusCode()).isEqualTo(403);
  }
}
