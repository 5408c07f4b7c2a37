package io.nudge.server.delivery;

import static io.nudge.server.delivery.TestEngagements.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.http.Credentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class VisitorStreamTest {
  private static final String WRITE_KEY = "wk_test";
  private static final String INTEGRATION = "int_test";
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Vertx vertx = Vertx.vertx();
  private final VisitorTokens tokens = VisitorTokens.create(VisitorTokens.generateSecret());
  private final List<SseReader> readers = new ArrayList<>();
  private VisitorStream visitors;
  private HttpServer server;

  @BeforeEach
  void start() {
    visitors = VisitorStream.create(vertx, new Credentials(Set.of(WRITE_KEY), INTEGRATION, "adm_test"), tokens,
        new StreamSettings(Duration.ofMinutes(1), 0));
    Router router = Router.router(vertx);
    visitors.mount(router);
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    readers.forEach(SseReader::close);
    Await.result(vertx.close());
  }

  @Test
  void token_withoutWriteKey_returns401() throws Exception {
    HttpResponse<String> response = postToken(null, "{\"anonymousId\":\"anon-a\"}");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"missing write key: send it as the HTTP Basic username or as writeKey in the body\"}");
  }

  @Test
  void token_withUnknownWriteKey_returns401() throws Exception {
    HttpResponse<String> response = postToken(basic("wk_other"), "{\"anonymousId\":\"anon-a\"}");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"unknown write key\"}");
  }

  @Test
  void token_withIntegrationTokenAsWriteKey_returns403() throws Exception {
    HttpResponse<String> response = postToken(basic(INTEGRATION), "{\"anonymousId\":\"anon-a\"}");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body())
        .isEqualTo("{\"error\":\"this endpoint needs a write key; the token sent has another scope\"}");
  }

  @Test
  void token_withBasicWriteKey_returnsTheVisitorsToken() throws Exception {
    HttpResponse<String> response = postToken(basic(WRITE_KEY), "{\"anonymousId\":\"anon-a\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo("{\"anonymousId\":\"anon-a\",\"token\":\"" + tokens.tokenFor("anon-a") + "\"}");
  }

  @Test
  void token_withWriteKeyInTextPlainBody_returnsTheVisitorsToken() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri(VisitorStream.TOKEN_PATH))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"wk_test\",\"anonymousId\":\"anon-a\"}"))
        .build();

    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("token")).isEqualTo(tokens.tokenFor("anon-a"));
  }

  @Test
  void token_withoutAnonymousId_returns400NamingTheField() throws Exception {
    HttpResponse<String> response = postToken(basic(WRITE_KEY), "{}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"anonymousId is required\",\"field\":\"anonymousId\"}");
  }

  @Test
  void token_bodyNotJson_returns400() throws Exception {
    HttpResponse<String> response = postToken(basic(WRITE_KEY), "anonymousId=anon-a");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"visitor token request body is not a JSON object\"}");
  }

  @Test
  void token_bodyOverLimit_returns413() throws Exception {
    String big = "{\"anonymousId\":\"" + "a".repeat(VisitorStream.MAX_TOKEN_REQUEST_BYTES) + "\"}";

    HttpResponse<String> response = postToken(basic(WRITE_KEY), big);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("{\"error\":\"visitor token request body is over the 4096-byte limit\"}");
  }

  @Test
  void stream_withoutToken_returns401() throws Exception {
    HttpResponse<String> response = getStream("anonymousId=anon-a");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"missing visitor token: get one from POST /v1/visitor/token and pass it as ?token=\"}");
  }

  @Test
  void stream_withAnotherVisitorsToken_returns403() throws Exception {
    HttpResponse<String> response = getStream("anonymousId=anon-a&token=" + tokens.tokenFor("anon-b"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo("{\"error\":\"visitor token does not match anonymousId\"}");
  }

  @Test
  void stream_withoutAnonymousId_returns400() throws Exception {
    HttpResponse<String> response = getStream("token=" + tokens.tokenFor("anon-a"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("{\"error\":\"anonymousId query parameter is required\",\"field\":\"anonymousId\"}");
  }

  @Test
  void stream_visitorA_neverReceivesVisitorBsEngagement() throws Exception {
    SseReader a = connect("anon-a", tokenFromEndpoint("anon-a"));
    SseReader b = connect("anon-b", tokenFromEndpoint("anon-b"));

    visitors.publish(chat("eng-b", "anon-b"), List.of("anon-b"));
    visitors.publish(chat("eng-a", "anon-a"), List.of("anon-a"));

    assertThat(a.nextEvent(WAIT).id()).isEqualTo("eng-a"); // eng-b, published first, would have come first
    assertThat(b.nextEvent(WAIT).id()).isEqualTo("eng-b");
    assertThat(a.poll(QUIET)).isNull();
    assertThat(b.poll(QUIET)).isNull();
  }

  @Test
  void stream_engagementForCustomerWithTwoDevices_reachesBoth() {
    SseReader phone = connect("anon-phone", tokens.tokenFor("anon-phone"));
    SseReader laptop = connect("anon-laptop", tokens.tokenFor("anon-laptop"));

    visitors.publish(chat("eng-1", "anon-laptop"), List.of("anon-phone", "anon-laptop"));

    assertThat(phone.nextEvent(WAIT).id()).isEqualTo("eng-1");
    assertThat(laptop.nextEvent(WAIT).id()).isEqualTo("eng-1");
  }

  @Test
  void stream_event_omitsJourneyContextAndCustomerIds() {
    SseReader a = connect("anon-a", tokens.tokenFor("anon-a"));

    visitors.publish(chat("eng-1", "anon-a"), List.of("anon-a"));

    SseReader.Frame frame = a.nextEvent(WAIT);
    assertThat(a.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(frame.event()).isEqualTo("engagement");
    assertThat(frame.data()).isEqualTo("{\"id\":\"eng-1\",\"type\":\"proactive_chat\",\"rule\":\"cart_hesitation\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"anonymousId\":\"anon-a\","
        + "\"queue\":\"sales\",\"message\":\"Need a hand with your order?\"}");
  }

  @Test
  void stream_visitorDisconnects_isRemoved() {
    SseReader a = connect("anon-a", tokens.tokenFor("anon-a"));

    a.close();

    Await.until("the visitor is removed", () -> visitors.clients() == 0);
  }

  @Test
  void disconnect_erasedVisitorsStreams_endsThem_andLeavesOthersOpen() {
    SseReader phone = connect("anon-phone", tokens.tokenFor("anon-phone"));
    SseReader laptop = connect("anon-laptop", tokens.tokenFor("anon-laptop"));
    SseReader other = connect("anon-other", tokens.tokenFor("anon-other"));

    visitors.disconnect(List.of("anon-phone", "anon-laptop"));

    assertThat(SseReader.isEnd(phone.next(WAIT))).isTrue();
    assertThat(SseReader.isEnd(laptop.next(WAIT))).isTrue();
    Await.until("one visitor left", () -> visitors.clients() == 1);
    visitors.publish(chat("eng-1", "anon-other"), List.of("anon-other"));
    assertThat(other.nextEvent(WAIT).id()).isEqualTo("eng-1");
  }

  private String tokenFromEndpoint(String anonymousId) throws Exception {
    HttpResponse<String> response = postToken(basic(WRITE_KEY), "{\"anonymousId\":\"" + anonymousId + "\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body()).getString("token");
  }

  private SseReader connect(String anonymousId, String token) {
    int before = visitors.clients();
    SseReader reader = SseReader.open(uri(VisitorStream.STREAM_PATH + "?anonymousId=" + encode(anonymousId)
        + "&token=" + encode(token)), Map.of());
    readers.add(reader);
    assertThat(reader.status()).isEqualTo(200);
    Await.until("the stream counts the new visitor", () -> visitors.clients() == before + 1);
    return reader;
  }

  private HttpResponse<String> postToken(String authorization, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(VisitorStream.TOKEN_PATH))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> getStream(String query) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(VisitorStream.STREAM_PATH + "?" + query)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + pathAndQuery);
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
