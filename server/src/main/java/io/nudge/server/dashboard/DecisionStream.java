package io.nudge.server.dashboard;

import io.nudge.engine.Decision;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * {@code GET /v1/decisions/stream} (admin token): every decision as it is made, sent and suppressed,
 * as server-sent {@code decision} events, and once a second a {@code figures} event with the events
 * logged per second and the events waiting in the shard queues. What the dashboard's Live page shows.
 *
 * <p>A client first gets the latest {@link #RECENT} decisions, then live ones. The ring and the client
 * set are owned by one Vert.x context; {@link #publish} may be called from any thread (the shards').
 */
public final class DecisionStream implements AutoCloseable {
  public static final String PATH = "/v1/decisions/stream";
  /** Decisions a new client gets first. */
  static final int RECENT = 50;
  /** Clients at once; an operator's dashboard, not a feed for systems. */
  static final int MAX_CLIENTS = 20;
  private static final long FIGURES_EVERY_MILLIS = 1000;

  private record Entry(String customerId, String engagementId, String frame) {}

  private final Vertx vertx;
  private final Context context;
  private final Credentials credentials;
  private final LongSupplier eventsLogged;
  private final IntSupplier queued;
  private final InstantSource clock;

  // Owned by context.
  private final ArrayDeque<Entry> recent = new ArrayDeque<>();
  private final Set<SseResponse> clients = new HashSet<>();
  private long timer = -1;
  private long lastCount;
  private long lastNanos;
  private boolean closed;

  private DecisionStream(Vertx vertx, Credentials credentials, LongSupplier eventsLogged, IntSupplier queued,
      InstantSource clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.credentials = credentials;
    this.eventsLogged = eventsLogged;
    this.queued = queued;
    this.clock = clock;
    context.runOnContext(v -> {
      if (!closed) {
        lastCount = eventsLogged.getAsLong();
        lastNanos = System.nanoTime();
        timer = vertx.setPeriodic(FIGURES_EVERY_MILLIS, t -> figures());
      }
    });
  }

  /**
   * @param eventsLogged how many events the log has taken so far (its last sequence); its growth per
   *     second is the event rate
   * @param queued events waiting in the shard queues now
   * @param clock the engine clock, for the time each figure is stamped with
   */
  public static DecisionStream create(Vertx vertx, Credentials credentials, LongSupplier eventsLogged,
      IntSupplier queued, InstantSource clock) {
    return new DecisionStream(vertx, credentials, eventsLogged, queued, clock);
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::connect);
  }

  /** Sends the decision to every client and keeps it among the recent ones. */
  public void publish(Decision d) {
    Entry entry = new Entry(d.engagement().customerId(), d.engagement().id(),
        SseResponse.event("decision", DecisionEvents.toJson(d).encode()));
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      if (recent.size() == RECENT) {
        recent.removeFirst();
      }
      recent.addLast(entry);
      for (SseResponse client : clients) {
        client.send(entry.frame());
      }
    });
  }

  /** Drops what is kept about these customers and engagements (an erasure). */
  public void forget(Collection<String> customerIds, Collection<String> engagementIds) {
    Set<String> customers = Set.copyOf(customerIds);
    Set<String> engagements = Set.copyOf(engagementIds);
    context.runOnContext(v -> recent.removeIf(e -> customers.contains(e.customerId())
        || engagements.contains(e.engagementId())));
  }

  @Override
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(timer);
      clients.forEach(SseResponse::end);
      clients.clear();
    });
  }

  private void connect(RoutingContext ctx) {
    try {
      credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    } catch (ApiError e) {
      e.send(ctx);
      return;
    }
    Context connection = Vertx.currentContext();
    context.runOnContext(v -> {
      if (clients.size() >= MAX_CLIENTS) {
        connection.runOnContext(w -> ApiError.tooManyRequests("the decision stream has " + MAX_CLIENTS
            + " clients, its limit: close a dashboard and try again", 10).send(ctx));
        return;
      }
      connection.runOnContext(w -> {
        SseResponse[] self = new SseResponse[1];
        self[0] = SseResponse.open(ctx, () -> context.runOnContext(x -> clients.remove(self[0])));
        context.runOnContext(x -> join(self[0]));
      });
    });
  }

  private void join(SseResponse client) {
    if (closed) {
      client.end();
      return;
    }
    if (client.isClosed()) {
      return;
    }
    for (Entry e : recent) {
      client.send(e.frame());
    }
    clients.add(client);
  }

  private void figures() {
    long count = eventsLogged.getAsLong();
    long nanos = System.nanoTime();
    double seconds = (nanos - lastNanos) / 1e9;
    double rate = seconds <= 0 ? 0 : Math.max(0, count - lastCount) / seconds;
    lastCount = count;
    lastNanos = nanos;
    if (clients.isEmpty()) {
      return;
    }
    String frame = SseResponse.event("figures", new JsonObject()
        .put("at", clock.instant().toString())
        .put("eventsPerSecond", Math.round(rate * 10) / 10.0)
        .put("eventsLogged", count)
        .put("queued", queued.getAsInt())
        .encode());
    for (SseResponse client : clients) {
      client.send(frame);
    }
  }
}
