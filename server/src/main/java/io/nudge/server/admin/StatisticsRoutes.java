package io.nudge.server.admin;

import io.nudge.engine.NudgeEngine;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/stats}: key figures per rule, engagement type and contact channel. Admin token. */
public final class StatisticsRoutes {
  private final NudgeEngine engine;
  private final Credentials credentials;

  private StatisticsRoutes(NudgeEngine engine, Credentials credentials) {
    this.engine = engine;
    this.credentials = credentials;
  }

  public static StatisticsRoutes create(NudgeEngine engine, Credentials credentials) {
    return new StatisticsRoutes(engine, credentials);
  }

  public void mount(Router router) {
    router.get("/v1/stats").handler(this::stats);
  }

  private void stats(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    // reads every decision and contact kept: off the event loop
    ctx.vertx().executeBlocking(engine::statistics, false)
        .onSuccess(stats -> ctx.json(new JsonObject(stats)))
        .onFailure(t -> Failures.send(ctx, t));
  }
}
