package io.nudge.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngineSettings;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import io.nudge.server.http.Credentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class SegmentIngestRoutesTest {
  private static final String WRITE_KEY = "wk_test_7f3a";
  private static final String DRL = """
      package t;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;
      rule "noop" when Journey(currentPath == "/never") then end
      """;
  private static final String MISSING_KEY =
      "{\"error\":\"missing write key: send HTTP Basic auth with the write key as user name, or writeKey in the body\"}";
  private static final String UNKNOWN_KEY = "{\"error\":\"unknown write key\"}";
  private static final String SUCCESS = "{\"success\":true}";

  private final List<NudgeEngine> engines = new ArrayList<>();
  private Vertx vertx;
  private NudgeEngine engine;
  private URI base;
  private HttpClient http;

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    engine = startEngine(DRL, EngineSettings.defaults().withShards(1));
    base = serve(engine);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    engines.forEach(NudgeEngine::close);
  }

  @Test
  void ingest_batchWithBasicAuth_returns200AndReachesTheEngine() throws Exception {
    String anon = newId();
    String body = """
        {"batch":[
          {"type":"page","anonymousId":"%1$s","properties":{"path":"/cart"}},
          {"type":"track","anonymousId":"%1$s","event":"Product Added",
           "properties":{"product_id":"p1","price":20,"quantity":2}}]}
        """.formatted(anon);

    HttpResponse<String> response = post("/v1/batch", body, "Authorization", basic(WRITE_KEY),
        "Content-Type", "application/json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo(SUCCESS);
    Journey journey = journey(anon);
    assertThat(journey.getCurrentPath()).isEqualTo("/cart");
    assertThat(journey.getCartValue()).isEqualTo(40.0);
  }

  @Test
  void ingest_trackWithWriteKeyInBody_returns200() throws Exception {
    String anon = newId();
    String body = "{\"writeKey\":\"" + WRITE_KEY + "\",\"anonymousId\":\"" + anon
        + "\",\"event\":\"Product Added\",\"properties\":{\"sku\":\"s1\",\"price\":5}}";

    HttpResponse<String> response = post("/v1/track", body, "Content-Type", "application/json; charset=utf-8");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(SUCCESS);
    assertThat(journey(anon).getCartValue()).isEqualTo(5.0);
  }

  @Test
  void ingest_basicAuthAndBodyWriteKey_basicAuthDecides() throws Exception {
    String anon = newId();
    String body = "{\"writeKey\":\"not-a-key\",\"anonymousId\":\"" + anon + "\",\"properties\":{\"path\":\"/basic\"}}";

    HttpResponse<String> response = post("/v1/page", body, "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(journey(anon).getCurrentPath()).isEqualTo("/basic");
  }

  @Test
  void ingest_batchWithUnknownWriteKey_returns401() throws Exception {
    HttpResponse<String> response = post("/v1/batch", "{}", "Authorization", basic("wk_guess"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void ingest_unknownWriteKeyInBody_returns401() throws Exception {
    HttpResponse<String> response = post("/v1/track",
        "{\"writeKey\":\"wk_guess\",\"anonymousId\":\"a\",\"event\":\"e\"}");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void ingest_noWriteKey_returns401SayingHowToSendIt() throws Exception {
    HttpResponse<String> response = post("/v1/track", "{\"anonymousId\":\"a\",\"event\":\"e\"}",
        "Authorization", "Bearer " + WRITE_KEY);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo(MISSING_KEY);
  }

  @Test
  void ingest_gzipBody_isDecompressed() throws Exception {
    String anon = newId();
    byte[] body = gzip(("{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"" + anon
        + "\",\"context\":{\"page\":{\"path\":\"/gz\"}}}]}").getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> response = post("/v1/b", body, "Authorization", basic(WRITE_KEY),
        "Content-Encoding", "gzip", "Content-Type", "application/json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(journey(anon).getCurrentPath()).isEqualTo("/gz");
  }

  @Test
  void ingest_gzipBomb_returns413() throws Exception {
    byte[] bomb = gzip(new byte[5_000_000]);
    assertThat(bomb.length).isLessThan(10_000);

    HttpResponse<String> response = post("/v1/batch", bomb, "Authorization", basic(WRITE_KEY),
        "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"request body is over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES) once decompressed\"}");
  }

  @Test
  void ingest_badGzip_returns400() throws Exception {
    HttpResponse<String> response = post("/v1/batch", "{\"batch\":[]}", "Authorization", basic(WRITE_KEY),
        "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"body is not valid gzip\"}");
  }

  @Test
  void ingest_otherContentEncoding_returns415() throws Exception {
    HttpResponse<String> response = post("/v1/batch", "{}", "Authorization", basic(WRITE_KEY),
        "Content-Encoding", "br");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"content encoding \\\"br\\\" is not supported: send gzip or no encoding\"}");
  }

  @Test
  void ingest_textPlainBeacon_isAccepted() throws Exception {
    String anon = newId();
    String body = "{\"writeKey\":\"" + WRITE_KEY + "\",\"anonymousId\":\"" + anon
        + "\",\"properties\":{\"path\":\"/beacon\"}}";

    HttpResponse<String> response = post("/v1/p", body, "Content-Type", "text/plain;charset=UTF-8");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(journey(anon).getCurrentPath()).isEqualTo("/beacon");
  }

  @Test
  void ingest_noContentType_isAccepted() throws Exception {
    String anon = newId();

    HttpResponse<String> response = post("/v1/identify", "{\"userId\":\"" + anon + "\",\"traits\":{\"plan\":\"pro\"}}",
        "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(journey(anon).getUserId()).isEqualTo(anon);
  }

  @Test
  void ingest_xmlContentType_returns415() throws Exception {
    HttpResponse<String> response = post("/v1/track", "<a/>", "Authorization", basic(WRITE_KEY),
        "Content-Type", "application/xml");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.body()).isEqualTo("{\"error\":\"content type \\\"application/xml\\\""
        + " is not supported: send application/json or text/plain\"}");
  }

  /** RudderStack's node SDK sends gzipped JSON labelled as a form: read as JSON. */
  @Test
  void ingest_jsonLabelledAsForm_isReadAsJson() throws Exception {
    HttpResponse<String> response = post("/v1/track", "{\"anonymousId\":\"rs-1\",\"event\":\"Signed Up\"}",
        "Authorization", basic(WRITE_KEY), "Content-Type", "application/x-www-form-urlencoded");

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void ingest_formBodyThatIsNotJson_returns400() throws Exception {
    HttpResponse<String> response = post("/v1/track", "a=b", "Authorization", basic(WRITE_KEY),
        "Content-Type", "application/x-www-form-urlencoded");

    assertThat(response.statusCode()).isEqualTo(400);
  }

  @Test
  void ingest_contentLengthOverTheLimit_returns413AtOnce() throws Exception {
    byte[] body = new byte[600_000];

    HttpResponse<String> response = post("/v1/batch", body, "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"request body is 600000 bytes, over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES)\"}");
  }

  @Test
  void ingest_chunkedBodyOverTheLimit_returns413() throws Exception {
    byte[] body = new byte[600_000];
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .header("Authorization", basic(WRITE_KEY))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .build();

    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"request body is over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES)\"}");
  }

  @Test
  void ingest_connectionAfterA413_servesTheNextRequest() throws Exception {
    post("/v1/batch", new byte[600_000], "Authorization", basic(WRITE_KEY));

    HttpResponse<String> response = post("/v1/track", "{\"anonymousId\":\"" + newId() + "\",\"event\":\"e\"}",
        "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void ingest_eventOverTheSizeLimit_returns413() throws Exception {
    String body = "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"list\":["
        + String.join(",", Collections.nCopies(8000, "1234")) + "]}}";

    HttpResponse<String> response = post("/v1/t", body, "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"event is 40055 bytes, over the 32768-byte limit (NUDGE_MAX_EVENT_BYTES)\"}");
  }

  @Test
  void ingest_invalidItemInBatch_returns400WithFieldAndIndex() throws Exception {
    String body = "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"},"
        + "{\"type\":\"track\",\"anonymousId\":\"a\"}]}";

    HttpResponse<String> response = post("/v1/batch", body, "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"event is required for track\",\"field\":\"event\",\"index\":1}");
  }

  @Test
  void ingest_invalidBatch_queuesNothing() throws Exception {
    String anon = newId();
    String body = "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"" + anon + "\",\"properties\":{\"path\":\"/x\"}},"
        + "{\"type\":\"nope\",\"anonymousId\":\"" + anon + "\"}]}";

    HttpResponse<String> response = post("/v1/batch", body, "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(engine.journey(anon).get(5, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void ingest_typeDisagreeingWithPath_returns400() throws Exception {
    HttpResponse<String> response = post("/v1/s", "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"}",
        "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"type \\\"track\\\" does not match the screen endpoint\",\"field\":\"type\"}");
  }

  @Test
  void ingest_invalidJson_returns400() throws Exception {
    HttpResponse<String> response = post("/v1/batch", "{\"batch\":[}", "Authorization", basic(WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"body is not valid JSON: unexpected close marker '}': expected ']' at line 1, column 11\"}");
  }

  @Test
  void ingest_shortAndLongForms_allReachTheEngine() throws Exception {
    Map<String, String> bodies = Map.of(
        "track", "\"event\":\"Form Error\"",
        "page", "\"properties\":{\"path\":\"/p\"}",
        "screen", "\"name\":\"Home\"",
        "identify", "\"traits\":{\"plan\":\"pro\"}",
        "group", "\"groupId\":\"g1\"",
        "alias", "\"previousId\":\"old-%s\"");
    for (Map.Entry<String, String> call : bodies.entrySet()) {
      for (String path : List.of("/v1/" + call.getKey(), "/v1/" + call.getKey().charAt(0))) {
        String user = newId();
        String body = "{\"userId\":\"" + user + "\"," + call.getValue().formatted(user) + "}";

        HttpResponse<String> response = post(path, body, "Authorization", basic(WRITE_KEY));

        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(engine.customerOf(user)).as(path).isPresent();
      }
    }
  }

  @Test
  void ingest_engineQueueFull_returns429WithRetryAfter() throws Exception {
    NudgeEngine small = startEngine(DRL, EngineSettings.defaults().withShards(1).withQueueCapacity(1));
    URI smallBase = serve(small);
    String anon = newId();
    String item = "{\"type\":\"track\",\"anonymousId\":\"" + anon + "\",\"event\":\"Form Error\"}";
    String body = "{\"batch\":[" + String.join(",", Collections.nCopies(2500, item)) + "]}";

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(smallBase.resolve("/v1/batch"))
        .header("Authorization", basic(WRITE_KEY))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(new JsonObject(response.body()).getString("error"))
        .matches("shard 0 has \\d+ events queued, its limit of 1 \\(NUDGE_SHARD_QUEUE\\); retry later");
  }

  private NudgeEngine startEngine(String drl, EngineSettings settings) {
    NudgeEngine started = NudgeEngine.start(settings, RulePack.compile(Map.of("t.drl", drl)), decision -> { });
    engines.add(started);
    return started;
  }

  /** A real HTTP server on a free port with the ingest routes over {@code target}. */
  private URI serve(NudgeEngine target) {
    Router router = Router.router(vertx);
    Credentials credentials = new Credentials(Set.of(WRITE_KEY, "wk_other"), "integration-token", "admin-token");
    SegmentIngestRoutes.create(target, credentials,
        new SegmentParser(IngestLimits.defaults(), ConsentCategories.defaults())).mount(router);
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return URI.create("http://127.0.0.1:" + server.actualPort());
    } catch (Exception e) {
      throw new IllegalStateException("server did not start", e);
    }
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    return post(path, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Journey journey(String customerRef) throws Exception {
    return engine.journey(customerRef).get(5, TimeUnit.SECONDS)
        .orElseThrow(() -> new AssertionError("no journey for " + customerRef));
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
  }

  private static String newId() {
    return "anon-" + UUID.randomUUID();
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
