package io.nudge.server.delivery;

import static io.nudge.server.delivery.TestEngagements.chat;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Engagement;
import io.nudge.server.http.Credentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class EngagementStreamTest {
  private static final String INTEGRATION = "int_test";
  private static final String ADMIN = "adm_test";
  private static final String WRITE_KEY = "wk_test";
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration QUIET = Duration.ofMillis(300);

  private final Vertx vertx = Vertx.vertx();
  private final List<SseReader> readers = new ArrayList<>();
  private EngagementStream stream;
  private HttpServer server;

  @AfterEach
  void stop() {
    readers.forEach(SseReader::close);
    Await.result(vertx.close());
  }

  @Test
  void stream_withoutAuthorization_returns401() throws Exception {
    start(Duration.ofMinutes(1), 100);

    HttpResponse<String> response = get(Map.of());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body())
        .isEqualTo("{\"error\":\"missing bearer token: send Authorization: Bearer <integration token>\"}");
  }

  @Test
  void stream_withUnknownToken_returns401() throws Exception {
    start(Duration.ofMinutes(1), 100);

    HttpResponse<String> response = get(Map.of("Authorization", "Bearer nope"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("{\"error\":\"unknown bearer token\"}");
  }

  @Test
  void stream_withAdminToken_returns403() throws Exception {
    start(Duration.ofMinutes(1), 100);

    HttpResponse<String> response = get(Map.of("Authorization", "Bearer " + ADMIN));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).isEqualTo(
        "{\"error\":\"this endpoint needs the integration token; the token sent has another scope\"}");
  }

  @Test
  void stream_withWriteKey_returns403() throws Exception {
    start(Duration.ofMinutes(1), 100);

    HttpResponse<String> response = get(Map.of("Authorization", "Bearer " + WRITE_KEY));

    assertThat(response.statusCode()).isEqualTo(403);
  }

  @Test
  void stream_published_arrivesAsEngagementEventWithFullJson() {
    start(Duration.ofMinutes(1), 100);
    SseReader reader = connect(null);

    stream.publish(chat("eng-1", "anon-a"));

    assertThat(reader.status()).isEqualTo(200);
    assertThat(reader.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(reader.headers().firstValue("cache-control")).hasValue("no-cache");
    SseReader.Frame frame = reader.nextEvent(WAIT);
    assertThat(frame.id()).isEqualTo("eng-1");
    assertThat(frame.event()).isEqualTo("engagement");
    assertThat(frame.data()).isEqualTo("{\"id\":\"eng-1\",\"type\":\"proactive_chat\",\"rule\":\"cart_hesitation\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"customerId\":\"cust-anon-a\",\"anonymousId\":\"anon-a\","
        + "\"queue\":\"sales\",\"message\":\"Need a hand with your order?\","
        + "\"context\":{\"cartValue\":120.5,\"pages\":[\"/cart\",\"/checkout\"]}}");
  }

  @Test
  void stream_twoClients_bothReceiveEachEngagementInOrder() {
    start(Duration.ofMinutes(1), 100);
    SseReader first = connect(null);
    SseReader second = connect(null);

    stream.publish(chat("eng-1", "anon-a"));
    stream.publish(chat("eng-2", "anon-b"));

    assertThat(ids(first, 2)).containsExactly("eng-1", "eng-2");
    assertThat(ids(second, 2)).containsExactly("eng-1", "eng-2");
  }

  @Test
  void stream_reconnectWithLastEventId_getsExactlyTheMissedThenLive() {
    start(Duration.ofMinutes(1), 100);
    SseReader before = connect(null);
    publish("eng-1", "eng-2", "eng-3");
    assertThat(ids(before, 3)).containsExactly("eng-1", "eng-2", "eng-3");
    before.close();
    Await.until("the first client is removed", () -> stream.clients() == 0);

    publish("eng-4", "eng-5");
    SseReader after = connect("eng-3");
    stream.publish(chat("eng-6", "anon-a"));

    assertThat(ids(after, 3)).containsExactly("eng-4", "eng-5", "eng-6");
    assertThat(after.poll(QUIET)).isNull();
  }

  @Test
  void stream_engagementsForgottenByAnErasure_areNotReplayedOnResume() {
    start(Duration.ofMinutes(1), 100);
    publish("eng-1", "eng-2", "eng-3", "eng-4");

    stream.forget(List.of("eng-2", "eng-4"));
    SseReader after = connect("eng-1");

    assertThat(ids(after, 1)).containsExactly("eng-3");
    assertThat(after.poll(QUIET)).isNull();
  }

  @Test
  void stream_lastEventIdIsNewest_replaysNothing() {
    start(Duration.ofMinutes(1), 100);
    publish("eng-1", "eng-2");

    SseReader reader = connect("eng-2");
    stream.publish(chat("eng-3", "anon-a"));

    assertThat(ids(reader, 1)).containsExactly("eng-3");
  }

  @Test
  void stream_lastEventIdEvictedFromRing_startsLiveWithComment() {
    start(Duration.ofMinutes(1), 2);
    publish("eng-1", "eng-2", "eng-3");

    SseReader reader = connect("eng-1");
    stream.publish(chat("eng-4", "anon-a"));

    SseReader.Frame notice = reader.next(WAIT);
    assertThat(notice.isEvent()).isFalse();
    assertThat(notice.comments()).containsExactly(
        "last-event-id eng-1 is not among the last 2 engagements kept for replay; starting live");
    assertThat(ids(reader, 1)).containsExactly("eng-4");
  }

  @Test
  void stream_idle_sendsKeepAliveComment() {
    start(Duration.ofMillis(50), 100);
    SseReader reader = connect(null);

    SseReader.Frame frame = reader.next(WAIT);

    assertThat(frame.isEvent()).isFalse();
    assertThat(frame.comments()).containsExactly("keep-alive");
  }

  @Test
  void stream_clientDisconnects_isRemoved() {
    start(Duration.ofMinutes(1), 100);
    SseReader reader = connect(null);
    assertThat(stream.clients()).isEqualTo(1);

    reader.close();

    Await.until("the client is removed", () -> stream.clients() == 0);
  }

  @Test
  void stream_closed_endsClientStreams() {
    start(Duration.ofMinutes(1), 100);
    SseReader reader = connect(null);

    stream.close();

    assertThat(SseReader.isEnd(reader.next(WAIT))).isTrue();
    assertThat(stream.clients()).isZero();
  }

  private void start(Duration heartbeat, int replayCapacity) {
    Credentials credentials = new Credentials(Set.of(WRITE_KEY), INTEGRATION, ADMIN);
    stream = EngagementStream.create(vertx, credentials, new StreamSettings(heartbeat, replayCapacity));
    Router router = Router.router(vertx);
    stream.mount(router);
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + EngagementStream.PATH);
  }

  /** Connects and waits until the stream counts the client, so nothing published next is missed. */
  private SseReader connect(String lastEventId) {
    int before = stream.clients();
    SseReader reader = SseReader.open(uri(), lastEventId == null
        ? Map.of("Authorization", "Bearer " + INTEGRATION)
        : Map.of("Authorization", "Bearer " + INTEGRATION, "Last-Event-ID", lastEventId));
    readers.add(reader);
    Await.until("the stream counts the new client", () -> stream.clients() == before + 1);
    return reader;
  }

  private void publish(String... ids) {
    for (String id : ids) {
      Engagement e = chat(id, "anon-a");
      stream.publish(e);
    }
  }

  private static List<String> ids(SseReader reader, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SseReader.Frame frame = reader.next(WAIT); // not nextEvent: an unexpected comment fails the test
      assertThat(frame.event()).isEqualTo("engagement");
      ids.add(frame.id());
    }
    return ids;
  }

  private HttpResponse<String> get(Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri()).GET();
    headers.forEach(request::header);
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
