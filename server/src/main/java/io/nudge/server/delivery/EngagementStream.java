package io.nudge.server.delivery;

import io.nudge.engine.Engagement;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/engagements/stream}: every engagement sent, as server-sent events, for the chat system
 * and contact centre (integration token). A client that reconnects with {@code Last-Event-ID} first gets
 * the engagements it missed, from a bounded in-memory ring of the latest ones.
 *
 * <p>{@link #publish} may be called from any thread. The ring and the client set are owned by one
 * Vert.x context: joining a client (replay, then live) and publishing are serialized there, so a
 * resuming client gets each engagement exactly once and in order.
 */
public final class EngagementStream implements AutoCloseable {

  public static final String PATH = "/v1/engagements/stream";

  private record Entry(String id, String frame) {}

  private final Vertx vertx;
  private final Context context;
  private final Credentials credentials;
  private final StreamSettings settings;
  private final AtomicInteger clientCount = new AtomicInteger();

  // Owned by context.
  private final ArrayDeque<Entry> ring = new ArrayDeque<>();
  private final Set<SseClient> clients = new HashSet<>();
  private long heartbeatTimer = -1;
  private boolean closed;

  private EngagementStream(Vertx vertx, Credentials credentials, StreamSettings settings) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.credentials = credentials;
    this.settings = settings;
    context.runOnContext(v -> {
      if (!closed) {
        heartbeatTimer = vertx.setPeriodic(settings.heartbeat().toMillis(), t -> heartbeat());
      }
    });
  }

  /** A stream with {@link StreamSettings#defaults()}. */
  public static EngagementStream create(Vertx vertx, Credentials credentials) {
    return create(vertx, credentials, StreamSettings.defaults());
  }

  public static EngagementStream create(Vertx vertx, Credentials credentials, StreamSettings settings) {
    return create(vertx, credentials, settings, List.of());
  }

  /**
   * A stream whose replay starts with {@code history} (oldest first), the engagements sent before a
   * restart, so a client can resume across it.
   */
  public static EngagementStream create(Vertx vertx, Credentials credentials, StreamSettings settings,
      List<Engagement> history) {
    EngagementStream stream = new EngagementStream(vertx, credentials, settings);
    List<Engagement> kept = history.subList(Math.max(0, history.size() - settings.replayCapacity()), history.size());
    for (Engagement e : kept) {
      stream.ring.addLast(new Entry(e.id(), SseClient.event(e.id(), "engagement", EngagementJson.toJson(e).encode())));
    }
    return stream;
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::connect);
  }

  /** Sends the engagement to every connected client and keeps it for resume. */
  public void publish(Engagement e) {
    // Encoded on the caller's thread, once for all clients.
    Entry entry = new Entry(e.id(), SseClient.event(e.id(), "engagement", EngagementJson.toJson(e).encode()));
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      if (settings.replayCapacity() > 0) {
        if (ring.size() == settings.replayCapacity()) {
          ring.removeFirst();
        }
        ring.addLast(entry);
      }
      for (SseClient client : clients) {
        client.send(entry.frame());
      }
    });
  }

  /** Drops these engagements from what is kept for resume (their customer was erased). */
  public void forget(java.util.Collection<String> engagementIds) {
    Set<String> ids = Set.copyOf(engagementIds);
    context.runOnContext(v -> ring.removeIf(entry -> ids.contains(entry.id())));
  }

  /** Clients connected now. */
  public int clients() {
    return clientCount.get();
  }

  /** Ends every stream and stops the heartbeat. */
  @Override
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      clients.forEach(SseClient::end);
      clients.clear();
      clientCount.set(0);
    });
  }

  private void connect(RoutingContext ctx) {
    try {
      credentials.require(Credentials.Scope.INTEGRATION, ctx.request().getHeader("Authorization"));
    } catch (ApiError e) {
      e.send(ctx);
      return;
    }
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    SseClient[] self = new SseClient[1];
    self[0] = SseClient.open(ctx, "engagement stream client " + ctx.request().remoteAddress(),
        () -> context.runOnContext(v -> leave(self[0])));
    context.runOnContext(v -> join(self[0], lastEventId));
  }

  private void join(SseClient client, String lastEventId) {
    if (closed) {
      client.end();
      return;
    }
    if (client.isClosed()) {
      return; // gone before it joined; its leave has run or will find nothing
    }
    if (lastEventId != null && !lastEventId.isBlank()) {
      replayAfter(client, lastEventId.trim());
    }
    if (clients.add(client)) {
      clientCount.incrementAndGet();
    }
  }

  private void replayAfter(SseClient client, String lastEventId) {
    List<String> missed = new ArrayList<>();
    Iterator<Entry> newestFirst = ring.descendingIterator();
    while (newestFirst.hasNext()) {
      Entry entry = newestFirst.next();
      if (entry.id().equals(lastEventId)) {
        for (int i = missed.size() - 1; i >= 0; i--) {
          client.send(missed.get(i));
        }
        return;
      }
      missed.add(entry.frame());
    }
    client.send(SseClient.comment("last-event-id " + lastEventId + " is not among the last "
        + settings.replayCapacity() + " engagements kept for replay; starting live"));
  }

  private void leave(SseClient client) {
    if (clients.remove(client)) {
      clientCount.decrementAndGet();
    }
  }

  private void heartbeat() {
    for (SseClient client : clients) {
      client.send(SseClient.KEEP_ALIVE);
    }
  }
}
