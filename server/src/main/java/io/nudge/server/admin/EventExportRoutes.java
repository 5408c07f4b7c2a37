package io.nudge.server.admin;

import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.server.dashboard.RangeQuery;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.ingest.SegmentWriter;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * {@code GET /v1/events?from=&to=&limit=}: the logged events of a time range as newline-delimited JSON,
 * one Segment call per line, in log order. The file replays offline through rules
 * ({@code java -jar nudge-server.jar simulate}) or can be ingested again. Admin token: it holds the
 * journeys of many customers.
 */
public final class EventExportRoutes {
  /** The most events one request returns, and the default: as many as a shadow replay reads. */
  public static final int MAX_EVENTS = 200_000;

  private final ShardedEngine engine;
  private final Credentials credentials;
  private final InstantSource clock;

  private EventExportRoutes(ShardedEngine engine, Credentials credentials, InstantSource clock) {
    this.engine = engine;
    this.credentials = credentials;
    this.clock = clock;
  }

  public static EventExportRoutes create(ShardedEngine engine, Credentials credentials, InstantSource clock) {
    return new EventExportRoutes(engine, credentials, clock);
  }

  public void mount(Router router) {
    router.get("/v1/events").handler(this::export);
  }

  private void export(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    Instant[] range = RangeQuery.range(ctx, clock);
    int limit = RangeQuery.number(ctx, "limit", MAX_EVENTS, 1, MAX_EVENTS);
    // reads the log: off the event loop
    ctx.vertx().executeBlocking(() -> lines(engine.eventsBetween(range[0], range[1], limit)), false)
        .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/x-ndjson; charset=utf-8")
            .putHeader("Cache-Control", "no-store").end(body))
        .onFailure(t -> Failures.send(ctx, t));
  }

  private static String lines(List<LoggedEvent> events) {
    StringBuilder b = new StringBuilder(events.size() * 200);
    for (LoggedEvent e : events) {
      b.append(SegmentWriter.toJson(e.event())).append('\n');
    }
    return b.toString();
  }
}
