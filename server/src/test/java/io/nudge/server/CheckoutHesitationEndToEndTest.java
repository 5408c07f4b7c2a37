package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The walking system: Segment batches in over HTTP, the default rules, a chat invitation out on the
 * chat system's stream and as a signed webhook, and consent respected. Everything is real: the server,
 * the HTTP clients and the webhook receiver.
 */
final class CheckoutHesitationEndToEndTest {
  private final ManualClock clock = new ManualClock();
  private final BlockingQueue<Received> webhooks = new LinkedBlockingQueue<>();
  private Vertx receiverVertx;
  private HttpServer receiver;
  private NudgeServer server;
  private TestSupport.Client http;
  private Map<String, String> env;

  record Received(Map<String, String> headers, String body) {}

  @BeforeEach
  void start() throws Exception {
    receiverVertx = Vertx.vertx();
    receiver = receiverVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      Map<String, String> headers = new java.util.HashMap<>();
      req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
      webhooks.add(new Received(headers, body.toString(StandardCharsets.UTF_8)));
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hooks/nudge");
    server = TestSupport.startServer(env, clock);
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    receiverVertx.close().await(10, TimeUnit.SECONDS);
  }

  private static String checkoutBatch(String anonymousId, String consentJson) {
    JsonObject context = new JsonObject().put("consent",
        new JsonObject().put("categoryPreferences", new JsonObject(consentJson)));
    JsonArray batch = new JsonArray()
        .add(new JsonObject().put("type", "page").put("anonymousId", anonymousId).put("messageId", anonymousId + "-1")
            .put("properties", new JsonObject().put("path", "/products/lamp")).put("context", context))
        .add(new JsonObject().put("type", "track").put("anonymousId", anonymousId).put("messageId", anonymousId + "-2")
            .put("event", "Product Added")
            .put("properties", new JsonObject().put("product_id", "lamp-7").put("name", "Brass lamp")
                .put("price", 120).put("quantity", 1).put("currency", "EUR"))
            .put("context", context.copy().put("page", new JsonObject().put("path", "/products/lamp"))))
        .add(new JsonObject().put("type", "page").put("anonymousId", anonymousId).put("messageId", anonymousId + "-3")
            .put("properties", new JsonObject().put("path", "/checkout").put("title", "Checkout")));
    return new JsonObject().put("batch", batch).encode();
  }

  @Test
  void hesitationThatFellDueWhileNudgeWasStopped_isDeliveredAtTheRestart_withoutTheEngineReadyYet() throws Exception {
    assertThat(http.postSegment("/v1/batch", TestSupport.WRITE_KEY, checkoutBatch("cy", "{\"proactive_chat\": true}"))
        .statusCode()).isEqualTo(200);
    server.close();
    clock.advance(Duration.ofSeconds(40)); // cy's 30 s of idling end while Nudge is down

    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      server = TestSupport.startServer(env, clock); // the rule fires while the engine catches up
      server.engine().recovered().get(10, TimeUnit.SECONDS); // which it logs once done
    } finally {
      System.setErr(err);
    }

    Received hook = webhooks.poll(10, TimeUnit.SECONDS);
    assertThat(hook).isNotNull();
    assertThat(new JsonObject(hook.body()).getJsonObject("data").getString("rule")).isEqualTo("checkout-hesitation");
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("restored 1 journeys")
        .doesNotContain("decision listener failed");
  }

  @Test
  void hesitationAtCheckout_reachesChatStreamAndSignedWebhook_butNotForCustomerWhoDeniedChat() throws Exception {
    BlockingQueue<String> stream = http.openStream("/v1/engagements/stream", TestSupport.INTEGRATION);
    HttpResponse<String> deny = http.put("/v1/customers/bea/consent", TestSupport.ADMIN,
        "{\"proactive_chat\": false}");
    assertThat(deny.statusCode()).isEqualTo(200);

    HttpResponse<String> ann = http.postSegment("/v1/batch", TestSupport.WRITE_KEY,
        checkoutBatch("ann", "{\"proactive_chat\": true}"));
    HttpResponse<String> bea = http.postSegment("/v1/batch", TestSupport.WRITE_KEY,
        checkoutBatch("bea", "{\"personalization\": true}"));
    assertThat(ann.statusCode()).isEqualTo(200);
    assertThat(ann.body()).isEqualTo("{\"success\":true}");
    assertThat(bea.statusCode()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(29));
    assertThat(stream.poll(300, TimeUnit.MILLISECONDS)).as("nothing before 30 s of idling").isNull();
    clock.advance(Duration.ofSeconds(2));

    List<String> frame = readFrame(stream);
    JsonObject engagement = new JsonObject(frame.get(2).substring("data: ".length()));
    assertThat(frame.get(0)).isEqualTo("id: " + engagement.getString("id"));
    assertThat(frame.get(1)).isEqualTo("event: engagement");
    assertThat(engagement.getString("type")).isEqualTo("proactive_chat");
    assertThat(engagement.getString("rule")).isEqualTo("checkout-hesitation");
    assertThat(engagement.getString("customerId")).isEqualTo("ann");
    assertThat(engagement.getString("anonymousId")).isEqualTo("ann");
    assertThat(engagement.getString("queue")).isEqualTo("sales");
    assertThat(engagement.getJsonObject("context").getString("currentPage")).isEqualTo("/checkout");
    assertThat(engagement.getJsonObject("context").getJsonObject("cart").getDouble("value")).isEqualTo(120.0);
    assertThat(engagement.getJsonObject("context").getJsonObject("cart").getString("currency")).isEqualTo("EUR");

    Received hook = webhooks.poll(10, TimeUnit.SECONDS);
    assertThat(hook).isNotNull();
    assertThat(hook.headers().get("webhook-id")).isEqualTo(engagement.getString("id"));
    assertThat(hook.headers().get("webhook-signature"))
        .isEqualTo(expectedSignature(hook.headers().get("webhook-id"), hook.headers().get("webhook-timestamp"), hook.body()));
    JsonObject payload = new JsonObject(hook.body());
    assertThat(payload.getString("type")).isEqualTo("engagement.created");
    assertThat(payload.getJsonObject("data").getString("id")).isEqualTo(engagement.getString("id"));
    assertThat(payload.getJsonObject("data").getString("customerId")).isEqualTo("ann");

    JsonObject beaDecisions = awaitDecisions("bea");
    assertThat(beaDecisions.getJsonArray("decisions")).hasSize(1);
    JsonObject suppressed = beaDecisions.getJsonArray("decisions").getJsonObject(0);
    assertThat(suppressed.getString("rule")).isEqualTo("checkout-hesitation");
    assertThat(suppressed.getString("type")).isEqualTo("proactive_chat");
    assertThat(suppressed.getString("outcome")).isEqualTo("suppressed");
    assertThat(suppressed.getString("reason")).isEqualTo("consent:proactive_chat");
    assertThat(Instant.parse(suppressed.getString("decidedAt"))).isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

    JsonObject annDecisions = awaitDecisions("ann");
    assertThat(annDecisions.getJsonArray("decisions").getJsonObject(0).getString("outcome")).isEqualTo("sent");

    assertThat(stream.poll(300, TimeUnit.MILLISECONDS)).as("bea's suppressed chat never reaches the stream").isNull();
    assertThat(webhooks.poll(300, TimeUnit.MILLISECONDS)).as("one webhook only").isNull();
  }

  private JsonObject awaitDecisions(String customer) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = http.get("/v1/customers/" + customer + "/decisions", TestSupport.ADMIN);
      JsonObject body = new JsonObject(r.body());
      if (r.statusCode() == 200 && !body.getJsonArray("decisions").isEmpty() || System.nanoTime() > deadline) {
        return body;
      }
      Thread.sleep(20);
    }
  }

  private static List<String> readFrame(BlockingQueue<String> stream) throws InterruptedException {
    List<String> frame = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = stream.poll(100, TimeUnit.MILLISECONDS);
      if (line == null || line.startsWith(":")) {
        continue;
      }
      if (line.isEmpty()) {
        if (!frame.isEmpty()) {
          return frame;
        }
        continue;
      }
      frame.add(line);
    }
    throw new AssertionError("no SSE frame within 10 s, got " + frame);
  }

  /** Standard Webhooks: v1,base64(HMAC-SHA256(secret, id.timestamp.body)), computed here from the spec. */
  private static String expectedSignature(String id, String timestamp, String body) throws Exception {
    byte[] key = Base64.getDecoder().decode(TestSupport.WEBHOOK_SECRET.substring("whsec_".length()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(sig);
  }
}
