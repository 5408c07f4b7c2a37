package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.shard.ShardedEngine;
import io.nudge.kafka.ClusterSettings;
import io.nudge.kafka.TestBroker;
import io.nudge.server.config.NudgeConfig;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster node with every role and one with the ingest role only, in this JVM, on a real Kafka broker:
 * an event taken over HTTP comes back as an engagement on the stream; an outcome posted reaches the
 * engine that decided it; the customer routes of the ingest node are answered by the engine node,
 * erasure included; what a cluster node does not serve answers 404 naming its roles.
 */
final class ClusterServerTest {
  private static TestBroker broker;
  private static ClusterServer server;
  private static TestSupport.Client client;
  private static ClusterServer ingestOnly;
  private static TestSupport.Client ingestClient;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    Path rules = Files.createDirectories(TestSupport.tempDir().resolve("rules"));
    Files.writeString(rules.resolve("help.drl"), """
        package nudge.test;
        import io.nudge.engine.facts.*;
        global io.nudge.engine.facts.Actions nudge;

        rule "help" @reason("test reason") @dataUsed("test data")
        when
          Journey( $c : customerId, currentPath == "/help" )
          not Offer( customerId == $c, rule == "help" )
        then
          nudge.tip("Help", "Ask us anything.");
        end
        """);
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_RULES_DIR", rules.toString());
    env.put("NUDGE_CONSENT_DEFAULT", "opt-out");
    ClusterSettings cluster = new ClusterSettings(broker.bootstrapServers(), "one.", 3, (short) 1, "solo",
        ClusterSettings.ALL_ROLES, Map.of());
    server = ClusterServer.start(NudgeConfig.from(env), cluster, InstantSource.system(),
        new PrintStream(OutputStream.nullOutputStream()));
    client = new TestSupport.Client(server.port());
    Map<String, String> ingestEnv = TestSupport.env(TestSupport.tempDir());
    ingestEnv.put("NUDGE_RULES_DIR", rules.toString());
    ingestOnly = ClusterServer.start(NudgeConfig.from(ingestEnv), new ClusterSettings(broker.bootstrapServers(), "one.",
        3, (short) 1, "front", Set.of("ingest"), Map.of()), InstantSource.system(),
        new PrintStream(OutputStream.nullOutputStream()));
    ingestClient = new TestSupport.Client(ingestOnly.port());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((server.node().ownedPartitions().size() < 3 || !ingestOnly.node().state().nodes().containsKey("solo")
        || ingestOnly.node().state().nodes().get("solo").partitions().size() < 3) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    if (ingestOnly != null) {
      ingestOnly.close();
    }
    if (server != null) {
      server.close();
    }
    broker.close();
  }

  private static String nextEngagementId(BlockingQueue<String> stream) throws InterruptedException {
    for (String line = stream.poll(30, TimeUnit.SECONDS); line != null; line = stream.poll(30, TimeUnit.SECONDS)) {
      if (line.startsWith("data:")) {
        return new JsonObject(line.substring(5).trim()).getString("id");
      }
    }
    throw new AssertionError("no engagement on the stream within 30 s");
  }

  private static HttpResponse<String> outcome(String engagementId, String outcome) {
    return client.send(HttpRequest.newBuilder(client.uri("/v1/engagements/" + engagementId + "/outcome"))
        .header("Authorization", "Bearer " + TestSupport.INTEGRATION).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"outcome\":\"" + outcome + "\"}")));
  }

  @Test
  void anOutcomePostedToTheNode_reachesTheEngineThatDecided_andAnOutcomeGoingBackIsRefused() throws Exception {
    BlockingQueue<String> stream = client.openStream("/v1/engagements/stream", TestSupport.INTEGRATION);
    HttpResponse<String> sent = client.postSegment("/v1/batch", TestSupport.WRITE_KEY,
        "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"ann\",\"messageId\":\"m1\",\"properties\":{\"path\":\"/help\"}}]}");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    String id = nextEngagementId(stream);

    HttpResponse<String> declined = outcome(id, "declined");

    assertThat(declined.statusCode()).as(declined.body()).isEqualTo(200);
    ShardedEngine engine = server.node().engine().orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (engine.outcomes(id).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(engine.outcomes(id)).extracting(o -> o.outcome()).containsExactly("declined");
    assertThat(outcome(id, "shown").statusCode()).isEqualTo(409);
    HttpResponse<String> metrics = client.get("/metrics", TestSupport.ADMIN);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("nudge_events_processed_seconds_count",
        "nudge_engagements_total{outcome=\"sent\",type=\"tip\"} 1.0"); // counted once, by the deciding engine
    assertThat(outcome("eng_unknown", "shown").statusCode()).isEqualTo(404);
  }

  @Test
  void theClusterStatus_listsEveryNode_withItsRolesRulesAndPartitions() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonObject solo = null;
    JsonObject front = null;
    while ((solo == null || front == null || solo.getJsonArray("partitions").size() < 3)
        && System.nanoTime() < deadline) { // a node reports every 2 s
      HttpResponse<String> r = ingestClient.get("/v1/cluster", TestSupport.ADMIN);
      assertThat(r.statusCode()).isEqualTo(200);
      solo = null;
      front = null;
      for (Object n : new JsonObject(r.body()).getJsonArray("nodes")) {
        JsonObject node = (JsonObject) n;
        if (node.getString("node").equals("solo")) {
          solo = node;
        } else if (node.getString("node").equals("front")) {
          front = node;
        }
      }
      Thread.sleep(50);
    }
    assertThat(solo).isNotNull();
    assertThat(solo.getJsonArray("partitions").encode()).isEqualTo("[0,1,2]");
    assertThat(solo.getString("rules")).isEqualTo(server.node().engine().orElseThrow().rules().version());
    assertThat(front).isNotNull();
    assertThat(front.getJsonArray("roles").encode()).isEqualTo("[\"ingest\"]");
    assertThat(front.getJsonArray("partitions").encode()).isEqualTo("[]");
    assertThat(client.get("/v1/cluster", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aRouteOnlyNudgeAloneServes_answers404_namingTheNodesRoles() {
    HttpResponse<String> r = client.get("/v1/queues", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("delivery,engine,ingest");
  }

  @Test
  void theCustomerRoutesOfANodeWithoutTheCustomer_areAnsweredByTheOwner_erasureIncluded() throws Exception {
    HttpResponse<String> sent = ingestClient.postSegment("/v1/batch", TestSupport.WRITE_KEY,
        "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"bea\",\"messageId\":\"b1\",\"properties\":{\"path\":\"/shoes\"}}]}");
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    HttpResponse<String> journey = ingestClient.get("/v1/customers/bea/journey", TestSupport.ADMIN);
    // known once admitted, holding the page once its shard applied it
    while (!(journey.statusCode() == 200 && journey.body().contains("/shoes")) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      journey = ingestClient.get("/v1/customers/bea/journey", TestSupport.ADMIN);
    }
    assertThat(journey.statusCode()).as(journey.body()).isEqualTo(200);
    assertThat(journey.body()).contains("/shoes");

    HttpResponse<String> erased = ingestClient.send(HttpRequest.newBuilder(ingestClient.uri("/v1/customers/bea"))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).DELETE());

    assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
    JsonObject receipt = new JsonObject(erased.body());
    assertThat(receipt.getJsonObject("records").getInteger("journeys")).isEqualTo(1);
    assertThat(receipt.getJsonObject("remaining").getString("events")).contains("one.events");
    assertThat(ingestClient.get("/v1/customers/bea/journey", TestSupport.ADMIN).statusCode()).isEqualTo(404);
    assertThat(ingestClient.get("/v1/customers/bea/journey", null).statusCode()).isEqualTo(401); // the owner says
  }

  @Test
  void whenKafkaDoesNotTakeTheEvents_theCallGets429WithRetryAfter_andTheNodeStaysUp() throws Exception {
    TestBroker lost = TestBroker.start();
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    ClusterServer front = ClusterServer.start(NudgeConfig.from(env), new ClusterSettings(lost.bootstrapServers(),
        "lost.", 1, (short) 1, "front-2", Set.of("ingest"),
        Map.of("delivery.timeout.ms", "3000", "request.timeout.ms", "1000", "max.block.ms", "2000")),
        InstantSource.system(), new PrintStream(OutputStream.nullOutputStream()));
    try {
      TestSupport.Client c = new TestSupport.Client(front.port());
      lost.close();

      HttpResponse<String> r = c.postSegment("/v1/batch", TestSupport.WRITE_KEY,
          "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"cy\",\"properties\":{\"path\":\"/a\"}}]}");

      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(r.body()).contains("the cluster's Kafka did not take the events", "nothing was accepted");
      assertThat(c.get("/health/live", null).statusCode()).isEqualTo(200);
    } finally {
      front.close();
    }
  }
}
