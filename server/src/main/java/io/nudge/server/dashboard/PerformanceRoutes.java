package io.nudge.server.dashboard;

import io.nudge.engine.insight.Insights;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * {@code GET /v1/performance?from=&to=&bucket=1h} (admin token): engagements offered, accepted,
 * declined, ignored and converted per rule and per type over time, suppressions by reason and each
 * rule's holdout uplift, computed from the decisions and outcomes on disk (see {@link Insights}).
 */
public final class PerformanceRoutes {
  public static final String PATH = "/v1/performance";
  static final Duration DEFAULT_BUCKET = Duration.ofHours(1);

  private final Insights insights;
  private final Credentials credentials;
  private final InstantSource clock;

  private PerformanceRoutes(Insights insights, Credentials credentials, InstantSource clock) {
    this.insights = insights;
    this.credentials = credentials;
    this.clock = clock;
  }

  public static PerformanceRoutes create(Insights insights, Credentials credentials, InstantSource clock) {
    return new PerformanceRoutes(insights, credentials, clock);
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::performance);
  }

  private void performance(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    Instant[] range = RangeQuery.range(ctx, clock);
    Duration bucket = RangeQuery.duration(ctx, "bucket", DEFAULT_BUCKET);
    // reads every decision kept: off the event loop
    ctx.vertx().executeBlocking(() -> insights.performance(range[0], range[1], bucket), false)
        .onSuccess(answer -> ctx.json(new JsonObject(answer)))
        .onFailure(t -> Failures.send(ctx, t));
  }
}
