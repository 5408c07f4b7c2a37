package io.nudge.server.delivery;

import io.nudge.engine.Engagement;
import io.nudge.engine.store.MemoryOutbox;
import io.nudge.engine.store.Outbox;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.BiConsumer;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each engagement to the operator's webhook receiver as a signed Standard Webhook
 * ({@code engagement.created}), retrying with backoff until a 2xx, or until the engagement is older
 * than the expiry: then it becomes a dead letter and its decision {@code expired}.
 *
 * <p>Delivery is at least once: every engagement is in the engine's {@link Outbox} until the receiver
 * answers 2xx, and the outbox is swept on start and every {@code sweep}, so what was pending when the
 * process stopped (or was refused for being over the pending limit) is sent later, with the same
 * {@code webhook-id}.
 *
 * <p>{@link #deliver} may be called from any thread (the engine's shard threads); it never blocks. All
 * queue and timer state is owned by one Vert.x context, so none of it needs a lock; only the counters,
 * read from anywhere, are atomic. Outbox reads and writes run off the event loop.
 */
public final class WebhookDelivery implements AutoCloseable {

  static final String EVENT_TYPE = "engagement.created";

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
  /** After the first drop, log one drop in this many, so a long outage does not flood the log. */
  private static final long DROP_LOG_EVERY = 1000;

  private final Vertx vertx;
  private final Context context;
  private final WebClient client;
  private final String url;
  private final WebhookSigner signer;
  private final RetryPolicy policy;
  private final DeliveryLimits limits;
  private final Outbox outbox;
  private final Expiry expiry;

  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  // Owned by context.
  private final ArrayDeque<PendingWebhook> ready = new ArrayDeque<>();
  private final Set<String> tracked = new HashSet<>();
  private final Set<Long> retryTimers = new HashSet<>();
  /** Tracked engagements whose customer was erased: in flight or waiting to retry, dropped when they return. */
  private final Set<String> forgotten = new HashSet<>();
  private int inFlight;
  private boolean failing;
  private long sweepTimer = -1;

  private WebhookDelivery(Vertx vertx, String url, WebhookSigner signer, RetryPolicy policy,
      DeliveryLimits limits, Outbox outbox, Expiry expiry) {
    this.vertx = vertx;
    this.outbox = outbox;
    this.expiry = expiry;
    this.context = vertx.getOrCreateContext();
    this.url = url;
    this.signer = signer;
    this.policy = policy;
    this.limits = limits;
    WebClientOptions options = new WebClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, policy.requestTimeout().toMillis()))
        .setFollowRedirects(false) // Standard Webhooks: a 3xx is a failure, the url should be fixed
        .setUserAgent("nudge-webhooks");
    this.client = WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(limits.maxInFlight()));
  }

  /**
   * When delivery gives up on an engagement.
   *
   * @param after an engagement this much older than its creation is not tried again
   * @param sweep how often the outbox is read for engagements not yet being delivered
   * @param onExpired told of each engagement given up on, with the last failure
   * @param clock the engine's clock, which dated the engagements
   */
  public record Expiry(Duration after, Duration sweep, BiConsumer<Engagement, String> onExpired,
      InstantSource clock) {
    /** Never gives up; sweeps every 30 s. */
    public static Expiry never() {
      return new Expiry(Duration.ofDays(365_000), Duration.ofSeconds(30), (e, why) -> { }, InstantSource.system());
    }
  }

  /** Delivery with {@link DeliveryLimits#defaults()}, an outbox in memory, and no expiry. */
  public static WebhookDelivery create(Vertx vertx, String url, WebhookSigner signer, RetryPolicy policy) {
    return create(vertx, url, signer, policy, DeliveryLimits.defaults());
  }

  /** Delivery with an outbox in memory and no expiry. */
  public static WebhookDelivery create(Vertx vertx, String url, WebhookSigner signer, RetryPolicy policy,
      DeliveryLimits limits) {
    return create(vertx, url, signer, policy, limits, new MemoryOutbox(), Expiry.never());
  }

  /**
   * Starts delivering, beginning with what the outbox holds.
   *
   * @param url the receiver, an absolute http or https url
   * @param outbox where engagements wait until delivered; the caller adds to it before {@link #deliver}
   * @throws IllegalArgumentException when the url is not one
   */
  public static WebhookDelivery create(Vertx vertx, String url, WebhookSigner signer, RetryPolicy policy,
      DeliveryLimits limits, Outbox outbox, Expiry expiry) {
    checkUrl(url);
    WebhookDelivery delivery = new WebhookDelivery(vertx, url, signer, policy, limits, outbox, expiry);
    delivery.context.runOnContext(v -> delivery.sweep());
    delivery.context.runOnContext(v -> delivery.sweepTimer = vertx.setPeriodic(
        Math.max(1, expiry.sweep().toMillis()), t -> delivery.sweep()));
    return delivery;
  }

  /**
   * Queues one engagement for delivery. Refused, and counted in {@link #dropped()}, when
   * {@link DeliveryLimits#maxPending()} engagements are already pending or delivery is closed.
   */
  public void deliver(Engagement e) {
    if (closed) {
      drop(e, "webhook delivery is closed");
      return;
    }
    // Built on the caller's thread, once: every attempt sends these exact bytes.
    PendingWebhook webhook = PendingWebhook.accepted(e, body(e));
    context.runOnContext(v -> track(webhook));
  }

  /** Sends a dead letter again; false when there is none with that id. */
  public Future<Boolean> redeliver(String engagementId) {
    return vertx.executeBlocking(() -> outbox.revive(engagementId), false).map(revived -> {
      revived.ifPresent(this::deliver);
      return revived.isPresent();
    });
  }

  /**
   * Stops delivering these engagements (their customer was erased): out of the queue at once; one in
   * flight or waiting to retry is neither retried nor dead-lettered.
   */
  public void forget(java.util.Collection<String> engagementIds) {
    Set<String> ids = Set.copyOf(engagementIds);
    context.runOnContext(v -> {
      ready.removeIf(w -> ids.contains(w.id()) && untrack(w));
      for (String id : ids) {
        if (tracked.contains(id)) {
          forgotten.add(id);
        }
      }
    });
  }

  private boolean untrack(PendingWebhook webhook) {
    pending.decrementAndGet();
    tracked.remove(webhook.id());
    return true;
  }

  private void track(PendingWebhook webhook) {
    if (closed || tracked.contains(webhook.id())) {
      return;
    }
    if (pending.get() >= limits.maxPending()) {
      drop(webhook.engagement(), "webhooks pending are at the " + limits.maxPending()
          + " limit (DeliveryLimits.maxPending); the receiver at " + url
          + " is down or not keeping up; it stays in the outbox and is tried again later");
      return;
    }
    pending.incrementAndGet();
    tracked.add(webhook.id());
    ready.add(webhook);
    pump();
  }

  private void sweep() {
    if (closed || pending.get() >= limits.maxPending()) {
      return;
    }
    vertx.executeBlocking(outbox::pending, false).onSuccess(waiting -> {
      for (Engagement e : waiting) {
        if (!tracked.contains(e.id())) {
          track(PendingWebhook.accepted(e, body(e)));
        }
      }
    }).onFailure(t -> LOG.error("reading the outbox failed; trying again in {}", expiry.sweep(), t));
  }

  /** Engagements the receiver answered with a 2xx. */
  public long delivered() {
    return delivered.get();
  }

  /** Attempts that failed and were scheduled again. */
  public long retries() {
    return retries.get();
  }

  /** Engagements accepted and not yet delivered: queued, in flight or waiting to retry. */
  public int pending() {
    return pending.get();
  }

  /** Engagements refused because too many were pending or delivery was closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Stops: no new attempts, no retries. What is pending stays in the outbox for the next start. */
  @Override
  public void close() {
    closed = true;
    context.runOnContext(v -> {
      vertx.cancelTimer(sweepTimer);
      retryTimers.forEach(vertx::cancelTimer);
      retryTimers.clear();
      ready.clear();
      client.close();
    });
  }

  static String body(Engagement e) {
    return new JsonObject()
        .put("type", EVENT_TYPE)
        .put("timestamp", e.createdAt().toString())
        .put("data", EngagementJson.toJson(e))
        .encode();
  }

  private void pump() {
    while (!closed && inFlight < limits.maxInFlight() && !ready.isEmpty()) {
      attempt(ready.poll());
    }
  }

  private void attempt(PendingWebhook webhook) {
    inFlight++;
    long timestamp = Instant.now().getEpochSecond();
    client.postAbs(url)
        .timeout(policy.requestTimeout().toMillis())
        .putHeader("content-type", "application/json")
        .putHeader("webhook-id", webhook.id())
        .putHeader("webhook-timestamp", Long.toString(timestamp))
        .putHeader("webhook-signature", signer.sign(webhook.id(), timestamp, webhook.body()))
        .as(BodyCodec.none())
        .sendBuffer(Buffer.buffer(webhook.body()))
        .onComplete(result -> {
          inFlight--;
          completed(webhook, result);
          pump();
        });
  }

  private void completed(PendingWebhook webhook, AsyncResult<HttpResponse<Void>> result) {
    if (closed) {
      return;
    }
    if (result.succeeded() && result.result().statusCode() / 100 == 2) {
      pending.decrementAndGet();
      delivered.incrementAndGet();
      tracked.remove(webhook.id());
      forgotten.remove(webhook.id());
      vertx.executeBlocking(() -> {
        outbox.delivered(webhook.id());
        return null;
      }, false).onFailure(t -> LOG.error("outbox update for {} failed; it may be sent again", webhook.id(), t));
      if (failing) {
        failing = false;
        LOG.info("webhook receiver at {} accepts again; {} webhooks pending", url, pending.get());
      }
      return;
    }
    String why = result.succeeded() ? "status " + result.result().statusCode() : describe(result.cause());
    long retryAfter = result.succeeded() ? retryAfterMillis(result.result()) : -1;
    scheduleRetry(webhook.failed(why), retryAfter);
  }

  private void scheduleRetry(PendingWebhook webhook, long retryAfterMillis) {
    if (forgotten.remove(webhook.id())) {
      untrack(webhook);
      return;
    }
    Engagement e = webhook.engagement();
    if (Duration.between(e.createdAt(), expiry.clock().instant()).compareTo(expiry.after()) > 0) {
      expire(webhook);
      return;
    }
    retries.incrementAndGet();
    long delay = policy.delayMillis(webhook.failures(), retryAfterMillis, ThreadLocalRandom.current().nextDouble());
    if (!failing) {
      failing = true;
      LOG.warn("webhook receiver at {} failed: {}; retrying with backoff, {} webhooks pending",
          url, webhook.lastFailure(), pending.get());
    }
    LOG.debug("webhook {} attempt {} failed: {}; next attempt in {} ms",
        webhook.id(), webhook.failures(), webhook.lastFailure(), delay);
    retryTimers.add(vertx.setTimer(Math.max(1, delay), timer -> {
      retryTimers.remove(timer);
      if (forgotten.remove(webhook.id())) {
        untrack(webhook);
        return;
      }
      ready.add(webhook);
      pump();
    }));
  }

  private void expire(PendingWebhook webhook) {
    pending.decrementAndGet();
    tracked.remove(webhook.id());
    String reason = "webhook: " + webhook.lastFailure();
    LOG.warn("gave up on webhook {} after {} attempts: {}", webhook.id(), webhook.failures(), webhook.lastFailure());
    vertx.executeBlocking(() -> {
      outbox.deadLetter(webhook.engagement(), reason, expiry.clock().instant());
      expiry.onExpired().accept(webhook.engagement(), reason);
      return null;
    }, false).onFailure(t -> LOG.error("dead-lettering {} failed", webhook.id(), t));
  }

  /** {@code Retry-After} in seconds on a 429 or 503; -1 otherwise or when it is an HTTP date. */
  private static long retryAfterMillis(HttpResponse<Void> response) {
    int status = response.statusCode();
    String header = response.getHeader("Retry-After");
    if ((status != 429 && status != 503) || header == null) {
      return -1;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      long capped = Math.min(seconds, RetryPolicy.MAX_RETRY_AFTER.toSeconds());
      return seconds < 0 ? -1 : TimeUnit.SECONDS.toMillis(capped);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message.toLowerCase(Locale.ROOT);
  }

  private void drop(Engagement e, String why) {
    long n = dropped.incrementAndGet();
    if (n == 1 || n % DROP_LOG_EVERY == 0) {
      LOG.error("dropped engagement {} for the webhook: {}; {} dropped so far", e.id(), why, n);
    }
  }

  private static void checkUrl(String url) {
    URI uri;
    try {
      uri = url == null ? null : new URI(url);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    String scheme = uri == null ? null : uri.getScheme();
    if (uri == null || uri.getHost() == null
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      throw new IllegalArgumentException("webhook url '" + url
          + "' is not an absolute http or https url (NUDGE_WEBHOOK_URL)");
    }
  }
}
