package io.nudge.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on the real server: the counters move by exactly what was sent, fired, decided
 * and delivered, and only the admin token reads them.
 */
final class MetricsEndpointTest {
  private final ManualClock clock = new ManualClock();
  private NudgeServer server;
  private Vertx vertx;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static final String BATCH = "{\"batch\":["
      // a callback offer, sent: the customer consented to callbacks
      + "{\"type\":\"track\",\"anonymousId\":\"m-1\",\"event\":\"Products Searched\","
      + "\"properties\":{\"query\":\"cancel my plan\"},"
      + "\"context\":{\"consent\":{\"categoryPreferences\":{\"callback\":true}}}},"
      // a tip, suppressed: no consent to personalisation
      + "{\"type\":\"page\",\"anonymousId\":\"m-2\",\"properties\":{\"path\":\"/delivery/times\"}},"
      // nothing fires
      + "{\"type\":\"page\",\"anonymousId\":\"m-3\",\"properties\":{\"path\":\"/shoes\"}}]}";

  @Test
  void metrics_afterABatch_countEventsFiringsAndDecisionsExactly() throws Exception {
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), clock);
    TestSupport.Client http = TestSupport.client(server);

    Map<String, Double> before = samples(http.get("/metrics", TestSupport.ADMIN).body());
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, BATCH).statusCode()).isEqualTo(200);
    Map<String, Double> after = awaitProcessed(http, 3);

    assertThat(after.get("nudge_events_accepted_total")).isEqualTo(3.0);
    assertThat(after.get("nudge_store_events_written_total")).isEqualTo(3.0);
    assertThat(after.get("nudge_rule_firings_total{rule=\"cancel-intent\"}")).isEqualTo(1.0);
    assertThat(after.get("nudge_rule_firings_total{rule=\"tip-delivery\"}")).isEqualTo(1.0);
    assertThat(after.get("nudge_engagements_total{outcome=\"sent\",type=\"callback\"}")).isEqualTo(1.0);
    assertThat(after.get("nudge_engagements_total{outcome=\"suppressed\",type=\"tip\"}")).isEqualTo(1.0);
    assertThat(after.get("nudge_suppressions_total{reason=\"consent:personalization\"}")).isEqualTo(1.0);
    assertThat(after.get("nudge_store_write_seconds_count{store=\"events\"}")).isEqualTo(1.0);
    assertThat(after).containsKeys("nudge_shard_queue_depth{shard=\"0\"}", "nudge_shard_queue_depth{shard=\"1\"}",
        "process_cpu_usage", "jvm_threads_live_threads");
    assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""));
    assertThat(before.get("nudge_events_accepted_total")).isEqualTo(0.0);
    assertThat(before).doesNotContainKey("nudge_rule_firings_total{rule=\"cancel-intent\"}");
  }

  @Test
  void metrics_webhookFailsOnceThenAccepts_countsOneRetryAndOneDelivery() throws Exception {
    vertx = Vertx.vertx();
    AtomicInteger calls = new AtomicInteger();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b ->
        req.response().setStatusCode(calls.incrementAndGet() == 1 ? 503 : 200).end()))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hooks");
    env.put("NUDGE_WEBHOOK_RETRY_MIN", "50ms");
    env.put("NUDGE_WEBHOOK_RETRY_MAX", "100ms");
    server = TestSupport.startServer(env, clock);
    TestSupport.Client http = TestSupport.client(server);

    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, BATCH).statusCode()).isEqualTo(200);
    Map<String, Double> after = await(http, m -> m.getOrDefault("nudge_webhook_deliveries_total", 0.0) >= 1.0);

    assertThat(after.get("nudge_webhook_deliveries_total")).isEqualTo(1.0);
    assertThat(after.get("nudge_webhook_retries_total")).isEqualTo(1.0);
    assertThat(after.get("nudge_webhook_dropped_total")).isEqualTo(0.0);
    assertThat(after.get("nudge_webhook_pending")).isEqualTo(0.0);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void metrics_withoutTheAdminToken_areRefused() {
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), clock);
    TestSupport.Client http = TestSupport.client(server);

    HttpResponse<String> none = http.get("/metrics", null);
    HttpResponse<String> integration = http.get("/metrics", TestSupport.INTEGRATION);
    HttpResponse<String> admin = http.get("/metrics", TestSupport.ADMIN);

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).isEqualTo(
        "{\"error\":\"missing bearer token: send Authorization: Bearer <admin token>\"}");
    assertThat(integration.statusCode()).isEqualTo(403);
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.headers().firstValue("Content-Type")).hasValue(MetricsRoutes.CONTENT_TYPE);
  }

  private static Map<String, Double> awaitProcessed(TestSupport.Client http, int events) throws InterruptedException {
    return await(http, m -> m.entrySet().stream()
        .filter(e -> e.getKey().startsWith("nudge_events_processed_seconds_count"))
        .mapToDouble(Map.Entry::getValue).sum() >= events);
  }

  private static Map<String, Double> await(TestSupport.Client http,
      java.util.function.Predicate<Map<String, Double>> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Map<String, Double> m = samples(http.get("/metrics", TestSupport.ADMIN).body());
      if (done.test(m) || System.nanoTime() > deadline) {
        return m;
      }
      Thread.sleep(20);
    }
  }

  /** Each sample line of the Prometheus text format, by name and labels. */
  static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }
}
