package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The erasure of issue 5, as an operator sees it: a server in its own process on a real data folder,
 * a customer with two devices merged by an identify, an email and a phone, consent, a call reported
 * by the contact centre and engagements (one stuck in the webhook outbox, its receiver down). After
 * {@code DELETE /v1/customers/{id}}, no file of the data folder (read as bytes, whatever its kind) and
 * no line the server printed holds the customer's ids, email or phone; a late event with an old
 * anonymousId is answered 200 and dropped. The same holds after a restart.
 */
final class ErasureProcessTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  // distinct, random-looking values: a byte search finds them only where they really are
  private static final String LAPTOP = "anon-laptop-5e8a1f3c90";
  private static final String PHONE = "anon-phone-b27d4c6e18";
  private static final String USER = "user-3f9c0a7e52";
  private static final String EMAIL = "Erin.Quist-Erasure@example.org";
  private static final String PHONE_NUMBER = "+44 7700 900 461";
  private static final List<String> NEEDLES = List.of(LAPTOP, PHONE, USER, EMAIL,
      EMAIL.toLowerCase(java.util.Locale.ROOT), "Erin.Quist", "erin.quist", PHONE_NUMBER, "+447700900461",
      "7700900461", "7700 900 461");

  private final AtomicInteger webhookPosts = new AtomicInteger();
  private int messages;

  @Test
  void delete_customerWithTwoDevicesEmailPhoneConsentCallAndEngagements_leavesNoTraceOnDiskOrInTheLog()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> {
      webhookPosts.incrementAndGet();
      req.response().setStatusCode(503).end(); // down: what was sent waits in the outbox
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Path data = TestSupport.tempDir().resolve("data");
    int port = ServerProcess.freePort();
    Map<String, String> env = Map.of("NUDGE_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/hook");
    ServerProcess server = ServerProcess.start(data, port, env);
    List<String> outputs = new ArrayList<>();
    try {
      String base = server.base();
      knownCustomer(base);
      assertThat(filesContaining(data, List.of(LAPTOP, PHONE, USER)))
          .as("before the erasure the search finds the ids").isNotEmpty();
      long before = sizeOf(data);

      long started = System.nanoTime();
      HttpResponse<String> erased = send(base, "DELETE", "/v1/customers/" + PHONE, TestSupport.ADMIN, null);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertThat(erased.statusCode()).isEqualTo(200);
      JsonObject receipt = new JsonObject(erased.body());
      assertThat(receipt.fieldNames()).containsExactly("erased", "customerId", "ids", "records", "tombstones",
          "erasedAt");
      assertThat(receipt.getBoolean("erased")).isTrue();
      assertThat(receipt.getString("customerId")).isEqualTo(LAPTOP);
      assertThat(receipt.getJsonObject("ids")).isEqualTo(new JsonObject().put("anonymousIds", 2).put("userIds", 1)
          .put("emails", 1).put("phones", 1).put("mergedCustomers", 1));
      JsonObject records = receipt.getJsonObject("records");
      // 2 pages, 2 identifies, 3 form errors, 1 search, 1 call, 1 outcome
      assertThat(records.getInteger("events")).isEqualTo(10);
      assertThat(records.getInteger("journeys")).isEqualTo(1);
      assertThat(records.getInteger("timeline")).isEqualTo(10);
      assertThat(records.getInteger("consent")).isEqualTo(4);
      assertThat(records.getInteger("decisions")).isEqualTo(3);
      assertThat(records.getInteger("outcomes")).isEqualTo(1);
      assertThat(records.getInteger("outbox")).isGreaterThanOrEqualTo(1);
      assertThat(receipt.getInteger("tombstones")).isEqualTo(5);
      assertThat(Instant.parse(receipt.getString("erasedAt"))).isBefore(Instant.now().plusSeconds(1));
      long after = sizeOf(data);

      assertThat(filesContaining(data, NEEDLES)).isEmpty();
      assertThat(found(server.output(), NEEDLES)).as("the server's output").isEmpty();
      for (String id : List.of(LAPTOP, PHONE, USER)) {
        assertThat(send(base, "GET", "/v1/customers/" + id, TestSupport.ADMIN, null).statusCode()).isEqualTo(404);
      }

      HttpResponse<String> late = segment(base, "page", new JsonObject().put("anonymousId", LAPTOP)
          .put("properties", new JsonObject().put("path", "/help")));
      assertThat(late.statusCode()).isEqualTo(200);
      assertThat(late.body()).isEqualTo("{\"success\":true}");
      Thread.sleep(1500); // a recreated customer would have its journey and a tip by now
      assertThat(send(base, "GET", "/v1/customers/" + LAPTOP, TestSupport.ADMIN, null).statusCode())
          .isEqualTo(404);
      assertThat(send(base, "GET", "/v1/customers/" + LAPTOP + "/decisions", TestSupport.ADMIN, null).body())
          .isEqualTo("{\"error\":\"no customer is known by id \\\"" + LAPTOP + "\\\"\"}");
      assertThat(stats(base).getLong("erasedEventsDropped")).isEqualTo(1L);
      assertThat(send(base, "DELETE", "/v1/customers/" + LAPTOP, TestSupport.ADMIN, null).statusCode())
          .as("erasing again").isEqualTo(404);
      assertThat(filesContaining(data, NEEDLES)).isEmpty();
      System.out.printf("erasure test: DELETE took %d ms; data folder %d bytes before, %d after; "
          + "%d webhook attempts refused; receipt %s%n", tookMillis, before, after, webhookPosts.get(), receipt);

      outputs.add(server.output());
      server.terminate();
      server = ServerProcess.start(data, port, env);
      segment(server.base(), "identify", new JsonObject().put("anonymousId", PHONE).put("userId", USER)
          .put("traits", new JsonObject().put("email", EMAIL)));
      assertThat(send(server.base(), "GET", "/v1/customers/" + USER, TestSupport.ADMIN, null).statusCode())
          .as("after a restart").isEqualTo(404);
      assertThat(stats(server.base()).getLong("erasedEventsDropped")).isEqualTo(1L);
    } finally {
      outputs.add(server.output());
      server.terminate();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    assertThat(filesContaining(data, NEEDLES)).as("after a restart").isEmpty();
    for (String output : outputs) {
      assertThat(found(output, NEEDLES)).isEmpty();
    }
  }

  /** Laptop, then phone, of one user; consent; a tip; a call; a callback and a chat; an outcome. */
  private void knownCustomer(String base) throws Exception {
    segment(base, "page", new JsonObject().put("anonymousId", LAPTOP)
        .put("properties", new JsonObject().put("path", "/plans")));
    segment(base, "identify", new JsonObject().put("anonymousId", LAPTOP).put("userId", USER)
        .put("traits", new JsonObject().put("email", EMAIL).put("phone", PHONE_NUMBER).put("plan", "gold")));
    assertThat(send(base, "PUT", "/v1/customers/" + LAPTOP + "/consent", TestSupport.ADMIN, new JsonObject()
        .put("analytics", true).put("personalization", true).put("proactive_chat", true).put("callback", true)
        .encode()).statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      segment(base, "track", new JsonObject().put("anonymousId", LAPTOP).put("event", "Form Error")
          .put("properties", new JsonObject().put("form", "checkout").put("field", "phone")));
    }
    awaitDecisions(base, 1);
    segment(base, "page", new JsonObject().put("anonymousId", PHONE)
        .put("properties", new JsonObject().put("path", "/account")));
    segment(base, "identify", new JsonObject().put("anonymousId", PHONE).put("userId", USER));
    assertThat(send(base, "POST", "/v1/interactions", TestSupport.INTEGRATION, new JsonObject()
        .put("channel", "call").put("startedAt", Instant.now().minusSeconds(60).toString()).put("csat", 2)
        .put("queue", "billing").put("notes", "asked about the gold plan")
        .put("customer", new JsonObject().put("userId", USER).put("email", EMAIL).put("phone", PHONE_NUMBER))
        .encode()).statusCode()).isEqualTo(202);
    segment(base, "track", new JsonObject().put("anonymousId", PHONE).put("event", "Products Searched")
        .put("properties", new JsonObject().put("query", "cancel plan")));
    // the tip, the callback for the search, and a chat as the call left the matter open
    JsonArray decisions = awaitDecisions(base, 3);
    String tip = decisions.getJsonObject(decisions.size() - 1).getString("engagementId");
    assertThat(send(base, "POST", "/v1/engagements/" + tip + "/outcome", TestSupport.INTEGRATION,
        new JsonObject().put("outcome", "shown").encode()).statusCode()).isEqualTo(200);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (webhookPosts.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(webhookPosts.get()).as("the tip was offered to the chat system, which refused it").isPositive();
  }

  private JsonArray awaitDecisions(String base, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonObject body = new JsonObject(send(base, "GET", "/v1/customers/" + LAPTOP + "/decisions",
          TestSupport.ADMIN, null).body());
      JsonArray decisions = body.getJsonArray("decisions");
      if (decisions != null && decisions.size() >= n) {
        return decisions;
      }
      assertThat(System.nanoTime()).as("%d decisions within 10 s: %s", n, body).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static JsonObject stats(String base) throws Exception {
    return new JsonObject(send(base, "GET", "/v1/stats", TestSupport.ADMIN, null).body());
  }

  private HttpResponse<String> segment(String base, String call, JsonObject body) throws Exception {
    body.put("messageId", "erasure-" + (++messages));
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/" + call))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((TestSupport.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  private static HttpResponse<String> send(String base, String method, String path, String bearer, String json)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + bearer)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** Every file under {@code dir}, read as bytes, holding one of the needles; as "file: needle". */
  private static List<String> filesContaining(Path dir, List<String> needles) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String needle : found(bytes, needles)) {
          hits.add(dir.relativize(file) + ": " + needle);
        }
      }
    }
    return hits;
  }

  /** The needles in {@code text}; ISO-8859-1 maps each byte to one char, so this is a byte search too. */
  private static List<String> found(String text, List<String> needles) {
    List<String> hits = new ArrayList<>();
    for (String needle : needles) {
      if (text.contains(new String(needle.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
        hits.add(needle);
      }
    }
    return hits;
  }
}
