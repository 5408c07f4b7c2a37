package io.nudge.server.delivery;

import static io.nudge.server.delivery.TestEngagements.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.server.delivery.WebhookReceiver.Received;
import io.nudge.server.delivery.WebhookReceiver.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class WebhookDeliveryTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** Fast retries: the tests check behaviour, not the production delays. */
  private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40),
      Duration.ofSeconds(5));

  private final Vertx vertx = Vertx.vertx();
  private final WebhookSigner signer = WebhookSigner.fromSecret(SECRET);
  private WebhookDelivery delivery;

  @AfterEach
  void stop() {
    if (delivery != null) {
      delivery.close();
    }
    Await.result(vertx.close());
  }

  @Test
  void webhook_delivered_isAStandardWebhookSignedWithTheSecret() throws Exception {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0);
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received r = receiver.next(WAIT);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo(WebhookReceiver.PATH);
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(r.id()).isEqualTo("eng-1");
    assertThat(Long.parseLong(r.timestamp())).isCloseTo(Instant.now().getEpochSecond(),
        org.assertj.core.data.Offset.offset(5L));
    assertThat(r.body()).isEqualTo("{\"type\":\"engagement.created\",\"timestamp\":\"2026-01-02T03:04:05Z\","
        + "\"data\":{\"id\":\"eng-1\",\"type\":\"proactive_chat\",\"rule\":\"cart_hesitation\","
        + "\"createdAt\":\"2026-01-02T03:04:05Z\",\"customerId\":\"cust-anon-a\",\"anonymousId\":\"anon-a\","
        + "\"queue\":\"sales\",\"message\":\"Need a hand with your order?\","
        + "\"context\":{\"cartValue\":120.5,\"pages\":[\"/cart\",\"/checkout\"]}}}");
    assertThat(r.signature()).isEqualTo(standardWebhooksSignature(r.id(), r.timestamp(), r.body()));
    assertThat(signer.verify(r.id(), r.timestamp(), r.body(), r.signature())).isTrue();
    Await.until("delivered is counted", () -> delivery.delivered() == 1);
    assertThat(delivery.pending()).isZero();
    assertThat(delivery.retries()).isZero();
  }

  @Test
  void webhook_receiverFailsTwice_retriesWithSameWebhookIdUntilDelivered() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.status(500), Reply.status(500));
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received first = receiver.next(WAIT);
    Received second = receiver.next(WAIT);
    Received third = receiver.next(WAIT);
    assertThat(first.id()).isEqualTo("eng-1");
    assertThat(second.id()).isEqualTo("eng-1");
    assertThat(third.id()).isEqualTo("eng-1");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(third.body()).isEqualTo(first.body());
    assertThat(third.signature()).isEqualTo(standardWebhooksSignature(third.id(), third.timestamp(), third.body()));
    Await.until("delivered is counted", () -> delivery.delivered() == 1);
    assertThat(delivery.retries()).isEqualTo(2);
    assertThat(delivery.pending()).isZero();
    Await.sleep(200);
    assertThat(receiver.count()).isEqualTo(3);
  }

  @Test
  void webhook_forgottenWhileRetrying_isNotTriedAgainNorDeadLettered() {
    Reply[] failures = new Reply[200];
    java.util.Arrays.fill(failures, Reply.status(500));
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(failures);
    io.nudge.engine.store.MemoryOutbox outbox = new io.nudge.engine.store.MemoryOutbox();
    java.util.List<String> expired = new java.util.concurrent.CopyOnWriteArrayList<>();
    // expires at the first failure after 150 ms of the engagement's time
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(
        Instant.parse("2026-01-02T03:04:05Z").toEpochMilli());
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST, DeliveryLimits.defaults(), outbox,
        new WebhookDelivery.Expiry(Duration.ofMillis(150), Duration.ofHours(1), (e, why) -> expired.add(e.id()),
            () -> Instant.ofEpochMilli(now.get())));
    outbox.add(chat("eng-1", "anon-a"));
    delivery.deliver(chat("eng-1", "anon-a"));
    receiver.next(WAIT);
    receiver.next(WAIT);

    delivery.forget(java.util.List.of("eng-1"));
    outbox.erase(java.util.List.of("cust-anon-a")); // what an erasure does to the outbox meanwhile
    now.addAndGet(1000);

    Await.until("nothing pending", () -> delivery.pending() == 0);
    int attempts = receiver.count();
    Await.sleep(300);
    assertThat(receiver.count()).as("no attempt after it was forgotten, but the one in flight").isLessThanOrEqualTo(
        attempts + 1);
    assertThat(outbox.deadLetters()).isEmpty();
    assertThat(expired).isEmpty();
  }

  @Test
  void webhook_429WithRetryAfter_waitsThatLongBeforeRetrying() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.retryAfter(429, "1"));
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received limited = receiver.next(WAIT);
    Received retried = receiver.next(WAIT);
    assertThat(Duration.ofNanos(retried.atNanos() - limited.atNanos())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(retried.id()).isEqualTo("eng-1");
    Await.until("delivered is counted", () -> delivery.delivered() == 1);
  }

  @Test
  void webhook_503WithRetryAfter_waitsThatLongBeforeRetrying() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.retryAfter(503, "1"));
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received unavailable = receiver.next(WAIT);
    Received retried = receiver.next(WAIT);
    assertThat(Duration.ofNanos(retried.atNanos() - unavailable.atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void webhook_500WithRetryAfter_retriesOnItsOwnBackoff() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.retryAfter(500, "5"));
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received failed = receiver.next(WAIT);
    Received retried = receiver.next(WAIT);
    assertThat(Duration.ofNanos(retried.atNanos() - failed.atNanos())).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void webhook_receiverDown_deliveredOnceItStarts() {
    int port = freePort();
    delivery = WebhookDelivery.create(vertx, "http://127.0.0.1:" + port + WebhookReceiver.PATH, signer, FAST);

    delivery.deliver(chat("eng-1", "anon-a"));
    Await.until("connection refused twice", () -> delivery.retries() >= 2);
    WebhookReceiver receiver = WebhookReceiver.start(vertx, port);

    assertThat(receiver.next(WAIT).id()).isEqualTo("eng-1");
    Await.until("delivered is counted", () -> delivery.delivered() == 1);
    assertThat(delivery.pending()).isZero();
  }

  @Test
  void webhook_receiverNeverAnswers_attemptTimesOutAndRetries() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.noAnswer());
    RetryPolicy shortTimeout = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMillis(300));
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, shortTimeout);

    delivery.deliver(chat("eng-1", "anon-a"));

    Received ignored = receiver.next(WAIT);
    Received retried = receiver.next(WAIT);
    assertThat(retried.id()).isEqualTo(ignored.id());
    assertThat(Duration.ofNanos(retried.atNanos() - ignored.atNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    Await.until("delivered is counted", () -> delivery.delivered() == 1);
    assertThat(delivery.retries()).isEqualTo(1);
  }

  @Test
  void webhook_pendingAtLimit_refusesNewAndCountsDropped() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0).then(Reply.noAnswer(), Reply.noAnswer());
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST, new DeliveryLimits(2, 1));

    delivery.deliver(chat("eng-1", "anon-a"));
    delivery.deliver(chat("eng-2", "anon-a"));
    delivery.deliver(chat("eng-3", "anon-a"));

    Await.until("two pending and one refused", () -> delivery.dropped() == 1);
    assertThat(delivery.pending()).isEqualTo(2);
    assertThat(receiver.next(WAIT).id()).isEqualTo("eng-1");
  }

  @Test
  void webhook_manyEngagements_neverMoreInFlightThanTheLimit() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0);
    for (int i = 0; i < 8; i++) {
      receiver.then(Reply.okAfter(50));
    }
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST, new DeliveryLimits(100, 2));

    for (int i = 0; i < 8; i++) {
      delivery.deliver(chat("eng-" + i, "anon-a"));
    }

    Await.until("all are delivered", () -> delivery.delivered() == 8);
    assertThat(receiver.maxConcurrent()).isEqualTo(2);
    assertThat(receiver.count()).isEqualTo(8);
  }

  @Test
  void webhook_closed_stopsRetryingAndRefusesNew() {
    WebhookReceiver receiver = WebhookReceiver.start(vertx, 0);
    for (int i = 0; i < 1000; i++) {
      receiver.then(Reply.status(500));
    }
    delivery = WebhookDelivery.create(vertx, receiver.url(), signer, FAST);
    delivery.deliver(chat("eng-1", "anon-a"));
    Await.until("a retry", () -> delivery.retries() >= 1);

    delivery.close();
    Await.sleep(100);
    int attempts = receiver.count();
    Await.sleep(300);
    delivery.deliver(chat("eng-2", "anon-a"));

    assertThat(receiver.count()).isEqualTo(attempts);
    assertThat(delivery.dropped()).isEqualTo(1);
    assertThat(delivery.delivered()).isZero();
  }

  @Test
  void create_urlNotHttp_failsNamingTheSetting() {
    assertThatThrownBy(() -> WebhookDelivery.create(vertx, "ftp://example.com/hook", signer, FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook url 'ftp://example.com/hook' is not an absolute http or https url (NUDGE_WEBHOOK_URL)");
  }

  /** The Standard Webhooks scheme written out from the spec, independently of {@link WebhookSigner}. */
  private static String standardWebhooksSignature(String id, String timestamp, String body) {
    try {
      byte[] key = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private int freePort() {
    HttpServer probe = Await.result(vertx.createHttpServer().requestHandler(r -> { }).listen(0, "127.0.0.1"));
    int port = probe.actualPort();
    Await.result(probe.close());
    return port;
  }
}
