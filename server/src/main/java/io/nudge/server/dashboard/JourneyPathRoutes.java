package io.nudge.server.dashboard;

import io.nudge.engine.insight.Insights;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.InstantSource;

/**
 * {@code GET /v1/journeys/paths?from=&to=&steps=5&top=20} (admin token): the most common paths of
 * visits through the site, with the engagements sent along them and where visitors left, as Sankey
 * nodes and links; read from the logged events of the range, at most {@link Insights#MAX_EVENTS}.
 */
public final class JourneyPathRoutes {
  public static final String PATH = "/v1/journeys/paths";
  static final int DEFAULT_STEPS = 5;
  static final int DEFAULT_TOP = 20;

  private final Insights insights;
  private final Credentials credentials;
  private final InstantSource clock;

  private JourneyPathRoutes(Insights insights, Credentials credentials, InstantSource clock) {
    this.insights = insights;
    this.credentials = credentials;
    this.clock = clock;
  }

  public static JourneyPathRoutes create(Insights insights, Credentials credentials, InstantSource clock) {
    return new JourneyPathRoutes(insights, credentials, clock);
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::paths);
  }

  private void paths(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    Instant[] range = RangeQuery.range(ctx, clock);
    int steps = RangeQuery.number(ctx, "steps", DEFAULT_STEPS, 2, Insights.MAX_STEPS);
    int top = RangeQuery.number(ctx, "top", DEFAULT_TOP, 1, Insights.MAX_TOP);
    // reads up to MAX_EVENTS events from disk: off the event loop
    ctx.vertx().executeBlocking(() -> insights.paths(range[0], range[1], steps, top), false)
        .onSuccess(answer -> ctx.json(new JsonObject(answer)))
        .onFailure(t -> Failures.send(ctx, t));
  }
}
