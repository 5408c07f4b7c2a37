package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chat system's webhook receiver refuses for a while, then recovers: nothing is lost. */
final class ChatSystemDownTest {
  private static final int CUSTOMERS = 20;

  private final ManualClock clock = new ManualClock();
  private final AtomicBoolean down = new AtomicBoolean(true);
  private final AtomicInteger refused = new AtomicInteger();
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attemptsById = new ConcurrentHashMap<>();
  private Vertx vertx;
  private HttpServer receiver;
  private NudgeServer server;
  private TestSupport.Client http;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> {
      String id = req.getHeader("webhook-id");
      attemptsById.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      if (down.get()) {
        refused.incrementAndGet();
        req.response().setStatusCode(503).end();
      } else {
        accepted.add(id);
        req.response().setStatusCode(200).end();
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void startServer(String expiry) {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hook");
    env.put("NUDGE_WEBHOOK_RETRY_MIN", "20ms");
    env.put("NUDGE_WEBHOOK_RETRY_MAX", "200ms");
    env.put("NUDGE_WEBHOOK_EXPIRY", expiry);
    server = TestSupport.startServer(env, clock);
    http = TestSupport.client(server);
  }

  private void cancelSearch(String customer) {
    String body = new JsonObject().put("anonymousId", customer).put("event", "Products Searched")
        .put("properties", new JsonObject().put("query", "cancel"))
        .put("context", new JsonObject().put("consent",
            new JsonObject().put("categoryPreferences", new JsonObject().put("callback", true)))).encode();
    assertThat(http.postSegment("/v1/track", TestSupport.WRITE_KEY, body).statusCode()).isEqualTo(200);
  }

  private Set<String> sentIds() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < CUSTOMERS; i++) {
      JsonArray decisions = new JsonObject(http.get("/v1/customers/down-" + i + "/decisions", TestSupport.ADMIN)
          .body()).getJsonArray("decisions");
      decisions.forEach(d -> ids.add(((JsonObject) d).getString("engagementId")));
    }
    return ids;
  }

  @Test
  void receiverRefusesThenRecovers_everyEngagementArrives_duplicatesOnlyWithTheSameWebhookId() throws Exception {
    startServer("24h");
    for (int i = 0; i < CUSTOMERS; i++) {
      cancelSearch("down-" + i);
    }
    await(() -> refused.get() >= 2 * CUSTOMERS, "every engagement refused at least twice");

    down.set(false);

    await(() -> new HashSet<>(accepted).size() == CUSTOMERS, "every engagement accepted");
    Set<String> sent = sentIds();
    assertThat(sent).hasSize(CUSTOMERS);
    assertThat(new HashSet<>(accepted)).isEqualTo(sent);
    assertThat(attemptsById.keySet()).as("no request with an id that was not sent").isEqualTo(sent);
    System.out.printf("chat system down: %d engagements, %d refused attempts, %d accepted deliveries%n",
        sent.size(), refused.get(), accepted.size());
  }

  @Test
  void receiverDownPastTheExpiry_deadLettersTheEngagement_marksItExpired_andRedeliversOnRequest() throws Exception {
    startServer("1s");
    cancelSearch("down-0");
    await(() -> refused.get() >= 1, "first attempt refused");
    clock.advance(Duration.ofSeconds(2));

    JsonArray letters = awaitDeadLetters();
    assertThat(letters).hasSize(1);
    JsonObject letter = letters.getJsonObject(0);
    assertThat(letter.getString("reason")).isEqualTo("webhook: status 503");
    String id = letter.getJsonObject("engagement").getString("id");
    JsonObject decision = new JsonObject(http.get("/v1/customers/down-0/decisions", TestSupport.ADMIN).body())
        .getJsonArray("decisions").getJsonObject(0);
    assertThat(decision.getString("outcome")).isEqualTo("expired");
    assertThat(decision.getString("reason")).isEqualTo("webhook: status 503");

    down.set(false);
    HttpResponse<String> redeliver = http.send(HttpRequest.newBuilder(http.uri("/v1/dead-letters/" + id + "/redeliver"))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(redeliver.statusCode()).isEqualTo(202);
    await(() -> accepted.contains(id), "redelivered");
    assertThat(new JsonObject(http.get("/v1/dead-letters", TestSupport.ADMIN).body()).getJsonArray("deadLetters"))
        .isEmpty();
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(http.uri("/v1/dead-letters/nope/redeliver"))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no dead letter has id \\\"nope\\\"\"}");
  }

  private JsonArray awaitDeadLetters() throws InterruptedException {
    JsonArray letters = new JsonArray();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      letters = new JsonObject(http.get("/v1/dead-letters", TestSupport.ADMIN).body()).getJsonArray("deadLetters");
      if (!letters.isEmpty()) {
        return letters;
      }
      Thread.sleep(20);
    }
    return letters;
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
