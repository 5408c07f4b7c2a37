package io.nudge.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contact policy on the real server with the default rules: a policy file, capacity reported
 * over HTTP, outcomes posted back, and each suppression's reason in the decisions and the stats.
 * The clock starts on Monday 2026-11-23 at 10:00 UTC.
 */
final class ContactPolicyEndToEndTest {
  private static final String POLICY = """
      caps:
        - {name: tips-per-day, type: tip, max: 2, per: 1d}
      cooldowns:
        - {after: declined, for: 24h}
      queues:
        retention: {zone: UTC, hours: {monday: "09:00-10:30"}}
        sales: {zone: UTC, maxWait: 2m}
      arbitrationWindow: 1s
      """;

  private final ManualClock clock = new ManualClock();
  private NudgeServer server;
  private TestSupport.Client http;
  private int messages;

  @BeforeEach
  void start() throws Exception {
    Path dir = TestSupport.tempDir();
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    Map<String, String> env = TestSupport.env(dir.resolve("data"));
    env.put("NUDGE_POLICY_FILE", policy.toString());
    env.put("NUDGE_CONSENT_DEFAULT", "opt-out");
    server = TestSupport.startServer(env, clock);
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void arbitration_callbackAndTipAskedWithinOneSecond_onlyTheHigherPriorityCallbackSent() throws Exception {
    send(page("cara", "/account/cancel"), formError("cara", "address"), formError("cara", "address"),
        formError("cara", "address"));
    assertThat(decisions("cara", 0)).isEmpty(); // waiting out the window

    clock.advance(Duration.ofSeconds(1));

    JsonArray d = decisions("cara", 2);
    assertThat(reasons(d)).containsExactlyInAnyOrder("cancel-intent=sent", "form-struggle=arbitration");
    JsonObject lost = d.getJsonObject(0).getString("rule").equals("form-struggle") ? d.getJsonObject(0)
        : d.getJsonObject(1);
    assertThat(lost.getJsonObject("explanation")).isEqualTo(new JsonObject()
        .put("ruleReason", "This form showed several errors in a row")
        .put("matched", new JsonArray().add("event track Form Error on /account/cancel at 2026-11-23T10:00:00Z")
            .add("value 3"))
        .put("consent", new JsonObject().put("analytics", "unset").put("personalization", "unset")
            .put("proactive_chat", "unset").put("callback", "unset"))
        .put("arbitration", new JsonObject().put("won", "cancel-intent").put("priority", 5)));
    assertThat(stats().getJsonObject("suppressed").getInteger("arbitration")).isEqualTo(1);
  }

  @Test
  void businessHours_callbackAfterTheQueueCloses_suppressedAsClosed() throws Exception {
    clock.advance(Duration.ofMinutes(31)); // 10:31, retention closed at 10:30

    send(page("dan", "/account/cancel"));
    clock.advance(Duration.ofSeconds(1));

    assertThat(reasons(decisions("dan", 1))).containsExactly("cancel-intent=closed");
    assertThat(stats().getJsonObject("suppressed").getInteger("closed")).isEqualTo(1);
  }

  @Test
  void capacity_noAgentFreeInSales_checkoutChatDowngradedToTheRulesTip() throws Exception {
    HttpResponse<String> put = http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION,
        "{\"availableAgents\": 0, \"expectedWaitSeconds\": 0}");
    assertThat(put.statusCode()).isEqualTo(200);

    checkoutWithFullCart("ann");

    JsonObject d = decisions("ann", 1).getJsonObject(0);
    assertThat(d.getString("outcome")).isEqualTo("sent");
    assertThat(d.getString("reason")).isEqualTo("downgraded:no-capacity");
    assertThat(d.getString("type")).isEqualTo("tip");
    assertThat(d.getJsonObject("fields").getString("title")).isEqualTo("Need a hand with your order?");
  }

  @Test
  void capacity_waitOverTheQueuesLimit_downgraded_andAWaitWithinItLetsTheChatOut() throws Exception {
    http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION,
        "{\"availableAgents\": 4, \"expectedWaitSeconds\": 121}");
    checkoutWithFullCart("ann");
    assertThat(decisions("ann", 1).getJsonObject(0).getString("reason")).isEqualTo("downgraded:no-capacity");

    http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION,
        "{\"availableAgents\": 4, \"expectedWaitSeconds\": 120}");
    checkoutWithFullCart("bob");
    JsonObject sent = decisions("bob", 1).getJsonObject(0);
    assertThat(sent.getString("reason")).isEqualTo("sent");
    assertThat(sent.getString("type")).isEqualTo("proactive_chat");
  }

  @Test
  void capAndCooldown_acrossTheDay_withTheOutcomePostedBack() throws Exception {
    send(formError("eve", "a"), formError("eve", "a"), formError("eve", "a"));
    clock.advance(Duration.ofSeconds(1));
    String first = decisions("eve", 1).getJsonObject(0).getString("engagementId");

    send(formError("eve", "b"), formError("eve", "b"), formError("eve", "b"));
    clock.advance(Duration.ofSeconds(1));
    send(formError("eve", "c"), formError("eve", "c"), formError("eve", "c"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(reasons(decisions("eve", 3)))
        .containsExactly("form-struggle=cap:tips-per-day", "form-struggle=sent", "form-struggle=sent");

    HttpResponse<String> declined = http.send(HttpRequest.newBuilder(http.uri("/v1/engagements/" + first + "/outcome"))
        .header("Authorization", "Bearer " + TestSupport.INTEGRATION).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"outcome\": \"declined\"}")));
    assertThat(declined.statusCode()).isEqualTo(200);
    clock.advance(Duration.ofHours(20)); // within the 24 h cool-down of the declined tip

    send(formError("eve", "d"), formError("eve", "d"), formError("eve", "d"));
    clock.advance(Duration.ofSeconds(1));

    assertThat(reasons(decisions("eve", 4)).get(0)).isEqualTo("form-struggle=cooldown");
    JsonObject suppressed = stats().getJsonObject("suppressed");
    assertThat(suppressed.getInteger("cap:tips-per-day")).isEqualTo(1);
    assertThat(suppressed.getInteger("cooldown")).isEqualTo(1);
  }

  @Test
  void capacityReport_badInput_clearErrors_andTheIntegrationTokenIsNeeded() {
    assertThat(http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION, "{\"availableAgents\": -1, "
        + "\"expectedWaitSeconds\": 0}").body())
        .isEqualTo("{\"error\":\"availableAgents is -1, must be a whole number from 0 to 1000000\","
            + "\"field\":\"availableAgents\"}");
    assertThat(http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION, "{\"availableAgents\": 1}").body())
        .isEqualTo("{\"error\":\"expectedWaitSeconds is required\",\"field\":\"expectedWaitSeconds\"}");
    assertThat(http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION,
        "{\"agents\": 1, \"expectedWaitSeconds\": 0}").body())
        .isEqualTo("{\"error\":\"\\\"agents\\\" is not a field here: send availableAgents and expectedWaitSeconds\","
            + "\"field\":\"agents\"}");
    assertThat(http.put("/v1/queues/sales/capacity", TestSupport.INTEGRATION, "[1]").body())
        .isEqualTo("{\"error\":\"body is not a JSON object: send {\\\"availableAgents\\\": 2, "
            + "\\\"expectedWaitSeconds\\\": 30}\"}");
    assertThat(http.put("/v1/queues/sa%20les/capacity", TestSupport.INTEGRATION,
        "{\"availableAgents\": 1, \"expectedWaitSeconds\": 0}").statusCode()).isEqualTo(400);
    assertThat(http.put("/v1/queues/sales/capacity", TestSupport.ADMIN,
        "{\"availableAgents\": 1, \"expectedWaitSeconds\": 0}").statusCode()).isEqualTo(403);
    assertThat(http.put("/v1/queues/sales/capacity", null,
        "{\"availableAgents\": 1, \"expectedWaitSeconds\": 0}").statusCode()).isEqualTo(401);
  }

  @Test
  void queues_listHoursFromThePolicyAndTheLatestReport() {
    http.put("/v1/queues/support/capacity", TestSupport.INTEGRATION,
        "{\"availableAgents\": 2, \"expectedWaitSeconds\": 45.5}");

    JsonObject body = new JsonObject(http.get("/v1/queues", TestSupport.INTEGRATION).body());

    assertThat(body).isEqualTo(new JsonObject().put("queues", new JsonArray()
        .add(new JsonObject().put("queue", "retention").put("open", true))
        .add(new JsonObject().put("queue", "sales").put("open", true).put("maxWaitSeconds", 120.0))
        .add(new JsonObject().put("queue", "support").put("open", true).put("availableAgents", 2)
            .put("expectedWaitSeconds", 45.5).put("reportedAt", "2026-11-23T10:00:00Z").put("current", true))));
  }

  // --- helpers --------------------------------------------------------------------------------------

  private void checkoutWithFullCart(String visitor) throws InterruptedException {
    send(new JsonObject().put("type", "track").put("anonymousId", visitor).put("event", "Product Added")
            .put("properties", new JsonObject().put("product_id", "lamp").put("price", 150).put("quantity", 1)),
        page(visitor, "/checkout"));
    clock.advance(Duration.ofSeconds(31));
    Thread.sleep(100); // the shard's tick sees 31 s first: the rule fires, its ask waits one second
    clock.advance(Duration.ofSeconds(1));
  }

  private JsonObject page(String visitor, String path) {
    return new JsonObject().put("type", "page").put("anonymousId", visitor)
        .put("properties", new JsonObject().put("path", path));
  }

  private JsonObject formError(String visitor, String form) {
    return new JsonObject().put("type", "track").put("anonymousId", visitor).put("event", "Form Error")
        .put("properties", new JsonObject().put("form", form));
  }

  private void send(JsonObject... events) {
    JsonArray batch = new JsonArray();
    for (JsonObject e : events) {
      batch.add(e.copy().put("messageId", "m" + (++messages)));
    }
    HttpResponse<String> r = http.postSegment("/v1/batch", TestSupport.WRITE_KEY,
        new JsonObject().put("batch", batch).encode());
    assertThat(r.statusCode()).isEqualTo(200);
    // a read queued behind the events on their shard: once it answers, they are applied, so the clock
    // moves after them and not before
    for (JsonObject e : events) {
      try {
        server.engine().journey(e.getString("anonymousId")).get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception x) {
        throw new AssertionError("events not applied", x);
      }
    }
  }

  /**
   * The customer's decisions, newest first, once there are {@code count} of them (waits up to 5 s).
   * While waiting it moves the clock a second now and then: on a busy machine a shard may not have
   * ticked between two moves of the test, so an ask can still be in its arbitration window.
   */
  private JsonArray decisions(String customer, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    long nudgeAt = System.nanoTime() + Duration.ofMillis(500).toNanos();
    JsonArray found = new JsonArray();
    while (System.nanoTime() < deadline) {
      if (count > 0 && System.nanoTime() > nudgeAt) {
        clock.advance(Duration.ofSeconds(1));
        nudgeAt = System.nanoTime() + Duration.ofMillis(500).toNanos();
      }
      HttpResponse<String> r = http.get("/v1/customers/" + customer + "/decisions", TestSupport.ADMIN);
      found = r.statusCode() == 200 ? new JsonObject(r.body()).getJsonArray("decisions") : new JsonArray();
      if (count > 0 && found.size() >= count) {
        return found;
      }
      Thread.sleep(count == 0 ? 300 : 20);
      if (count == 0) {
        return found;
      }
    }
    return found;
  }

  private static List<String> reasons(JsonArray decisions) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < decisions.size(); i++) {
      out.add(decisions.getJsonObject(i).getString("rule") + "=" + decisions.getJsonObject(i).getString("reason"));
    }
    return out;
  }

  private JsonObject stats() {
    return new JsonObject(http.get("/v1/stats", TestSupport.ADMIN).body());
  }
}
