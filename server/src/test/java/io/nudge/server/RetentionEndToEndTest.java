package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.shard.ShardedEngine;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code NUDGE_JOURNEY_RETENTION} and {@code NUDGE_DECISION_RETENTION} on a real server: what is older
 * goes at the purge, what is younger stays, and so do identity links and consent.
 */
final class RetentionEndToEndTest {
  private final ManualClock clock = new ManualClock();
  private NudgeServer server;
  private TestSupport.Client http;
  private int messages;

  @AfterEach
  void stop() {
    server.close();
  }

  private void start(String journeys, String decisions) {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_JOURNEY_RETENTION", journeys);
    env.put("NUDGE_DECISION_RETENTION", decisions);
    server = TestSupport.startServer(env, clock);
    http = TestSupport.client(server);
  }

  /** A visitor who struggles with a form and is shown a tip; consent set through the API. */
  private void strugglingVisitor(String anonymousId) throws Exception {
    assertThat(http.put("/v1/customers/" + anonymousId + "/consent", TestSupport.ADMIN,
        "{\"analytics\": true, \"personalization\": true}").statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      String event = "{\"anonymousId\": \"" + anonymousId + "\", \"event\": \"Form Error\", \"messageId\": \"rt-"
          + (++messages) + "\", \"properties\": {\"form\": \"signup\"}}";
      assertThat(http.postSegment("/v1/track", TestSupport.WRITE_KEY, event).statusCode()).isEqualTo(200);
    }
    clock.advance(Duration.ofSeconds(2)); // past the arbitration window
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.engine().decisions(anonymousId).isEmpty()) {
      assertThat(System.nanoTime()).as("a tip within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private Map<String, Integer> purge() throws Exception {
    return ((ShardedEngine) server.engine()).purgeExpired().get(10, TimeUnit.SECONDS);
  }

  private JsonObject customer(String id) {
    HttpResponse<String> r = http.get("/v1/customers/" + id, TestSupport.ADMIN);
    assertThat(r.statusCode()).as(id).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private int decisions(String id) {
    return new JsonObject(http.get("/v1/customers/" + id + "/decisions", TestSupport.ADMIN).body())
        .getJsonArray("decisions").size();
  }

  @Test
  void purge_journeyIdleLongerThanItsRetention_goesWithItsTimeline_aYoungerOneStays() throws Exception {
    start("2d", "30d");
    strugglingVisitor("idle-visitor");
    clock.advance(Duration.ofDays(1));
    strugglingVisitor("recent-visitor");
    clock.advance(Duration.ofDays(1).plusMinutes(1));

    assertThat(purge()).containsExactly(Map.entry("journeys", 1), Map.entry("timeline", 3),
        Map.entry("decisions", 0), Map.entry("outcomes", 0));

    JsonObject idle = customer("idle-visitor");
    assertThat(idle.containsKey("journey")).as("journey gone").isFalse();
    assertThat(idle.getJsonArray("anonymousIds").getList()).as("identity stays").containsExactly("idle-visitor");
    assertThat(new JsonObject(http.get("/v1/customers/idle-visitor/journey", TestSupport.INTEGRATION).body())
        .getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("kind")).toList())
        .as("its events are gone from the timeline; its decision, kept longer, is still shown")
        .containsExactly("engagement");
    assertThat(new JsonObject(http.get("/v1/customers/idle-visitor/consent", TestSupport.ADMIN).body())
        .getJsonObject("consent").fieldNames()).as("consent stays")
        .containsExactlyInAnyOrder("analytics", "personalization");
    assertThat(decisions("idle-visitor")).as("decisions follow their own retention").isEqualTo(1);
    assertThat(customer("recent-visitor").getJsonObject("journey").getInteger("formErrorsThisSession"))
        .isEqualTo(3);
  }

  @Test
  void purge_decisionsOlderThanTheirRetention_goWithTheirOutcomes_youngerOnesStay() throws Exception {
    start("30d", "3d");
    strugglingVisitor("early-visitor");
    String tip = server.engine().decisions("early-visitor").get(0).engagement().id();
    server.engine().recordOutcome(tip, "shown", clock.instant()).get(5, TimeUnit.SECONDS);
    clock.advance(Duration.ofDays(2));
    strugglingVisitor("later-visitor");
    clock.advance(Duration.ofDays(1).plusMinutes(1));

    assertThat(purge()).containsExactly(Map.entry("journeys", 0), Map.entry("timeline", 0),
        Map.entry("decisions", 1), Map.entry("outcomes", 1));

    assertThat(decisions("early-visitor")).isZero();
    assertThat(decisions("later-visitor")).isEqualTo(1);
    assertThat(customer("early-visitor").containsKey("journey")).as("journeys follow their own retention")
        .isTrue();
    HttpResponse<String> outcome = http.send(java.net.http.HttpRequest.newBuilder(
            http.uri("/v1/engagements/" + tip + "/outcome"))
        .header("Authorization", "Bearer " + TestSupport.INTEGRATION).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"outcome\": \"accepted\"}")));
    assertThat(outcome.statusCode()).as("the purged engagement is unknown now").isEqualTo(404);
  }
}
