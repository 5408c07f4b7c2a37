package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A separate process sends events at a steady rate while the server is killed with SIGKILL and
 * restarted, again and again. Afterwards every acknowledged event is in its customer's journey and
 * every engagement that was sent reached the webhook receiver at least once.
 */
final class CrashRecoveryTest {
  private static final int CUSTOMERS = 40;
  private static final int KILLS = 3;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, Set<String>> acked = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> inDoubt = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> webhookIds = new ConcurrentHashMap<>();
  private final AtomicInteger webhookPosts = new AtomicInteger();

  @Test
  void killNineWhileEventsArrive_losesNoAcknowledgedEvent_andDeliversEveryEngagement() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> {
      webhookPosts.incrementAndGet();
      webhookIds.computeIfAbsent(req.getHeader("webhook-id"), k -> new AtomicInteger()).incrementAndGet();
      req.response().setStatusCode(204).end();
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Path data = TestSupport.tempDir().resolve("data");
    int port = ServerProcess.freePort();
    Map<String, String> env = Map.of("NUDGE_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hook");
    Random random = new Random(7);
    int[] sequence = {0};
    try {
      for (int round = 0; round < KILLS; round++) {
        ServerProcess server = ServerProcess.start(data, port, env);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800 + random.nextInt(1200));
        Thread sender = new Thread(() -> sendSteadily(server.base(), until, sequence, random.nextLong()));
        sender.start();
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()) - 300));
        server.kill9(); // while the sender is still sending
        sender.join();
      }
      ServerProcess last = ServerProcess.start(data, port, env);
      try {
        verify(last.base());
      } finally {
        last.terminate();
      }
      // engagements decided while a restart restores (replayed events, timers that fell due) reach the
      // delivery like any other, without the engine being ready yet
      assertThat(last.output()).contains("applied again").doesNotContain("decision listener failed");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Batches of five events, one customer each, about 100 events a second. */
  private void sendSteadily(String base, long untilNanos, int[] sequence, long seed) {
    Random random = new Random(seed);
    while (System.nanoTime() < untilNanos) {
      String customer = "crash-" + random.nextInt(CUSTOMERS);
      JsonArray batch = new JsonArray();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        String messageId = "m-" + (++sequence[0]);
        ids.add(messageId);
        JsonObject context = new JsonObject().put("consent",
            new JsonObject().put("categoryPreferences", new JsonObject().put("callback", true)));
        batch.add(i == 4 && random.nextInt(4) == 0
            ? new JsonObject().put("type", "track").put("anonymousId", customer).put("messageId", messageId)
                .put("event", "Products Searched").put("properties", new JsonObject().put("query", "cancel plan"))
                .put("context", context)
            : new JsonObject().put("type", "page").put("anonymousId", customer).put("messageId", messageId)
                .put("properties", new JsonObject().put("path", "/p/" + messageId)).put("context", context));
      }
      boolean ok;
      try {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/batch"))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((TestSupport.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("batch", batch).encode())).build(),
            HttpResponse.BodyHandlers.ofString());
        ok = r.statusCode() == 200;
      } catch (Exception e) {
        ok = false;
      }
      (ok ? acked : inDoubt).computeIfAbsent(customer, k -> ConcurrentHashMap.newKeySet()).addAll(ids);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void verify(String base) throws Exception {
    int ackedEvents = acked.values().stream().mapToInt(Set::size).sum();
    int doubtful = inDoubt.values().stream().mapToInt(Set::size).sum();
    int inJourneys = 0;
    Set<String> sent = new HashSet<>();
    for (String customer : acked.keySet()) {
      JsonObject journey = awaitJourney(base, customer);
      int events = journey.getInteger("pageViewsThisSession") + journey.getInteger("pageViewsBefore")
          + journey.getInteger("searchesThisSession");
      int ackedHere = acked.get(customer).size();
      int doubtHere = inDoubt.getOrDefault(customer, Set.of()).size();
      inJourneys += events;
      assertThat(events).as("every acknowledged event of %s is in its journey", customer)
          .isGreaterThanOrEqualTo(ackedHere);
      assertThat(events).as("and nothing else than what was sent to %s, each once", customer)
          .isLessThanOrEqualTo(ackedHere + doubtHere);
      JsonArray decisions = get(base + "/v1/customers/" + customer + "/decisions").getJsonArray("decisions");
      for (int i = 0; i < decisions.size(); i++) {
        if (decisions.getJsonObject(i).getString("outcome").equals("sent")) {
          sent.add(decisions.getJsonObject(i).getString("engagementId"));
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!webhookIds.keySet().containsAll(sent) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    System.out.printf("crash test: %d kills, %d events acknowledged, %d in doubt, %d in journeys; "
        + "%d engagements sent, %d delivered (%d webhook posts)%n", KILLS, ackedEvents, doubtful, inJourneys,
        sent.size(), webhookIds.size(), webhookPosts.get());
    assertThat(ackedEvents).as("the sender got acknowledgements").isGreaterThan(50);
    assertThat(sent).as("engagements were sent").isNotEmpty();
    assertThat(webhookIds.keySet()).as("every sent engagement reached the webhook").containsAll(sent);
  }

  private JsonObject awaitJourney(String base, String customer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonObject body = get(base + "/v1/customers/" + customer);
      if (body.containsKey("journey") || System.nanoTime() > deadline) {
        return body.getJsonObject("journey");
      }
      Thread.sleep(50);
    }
  }

  private static JsonObject get(String url) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }
}
