package io.nudge.server.metrics;

import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: every meter in Prometheus text format. Admin token: the figures name the
 * rules, queues and volumes of the business, which the open internet should not read.
 */
public final class MetricsRoutes {
  /** Prometheus' text exposition format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final NudgeMetrics metrics;
  private final Credentials credentials;

  private MetricsRoutes(NudgeMetrics metrics, Credentials credentials) {
    this.metrics = metrics;
    this.credentials = credentials;
  }

  public static MetricsRoutes create(NudgeMetrics metrics, Credentials credentials) {
    return new MetricsRoutes(metrics, credentials);
  }

  public void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    // reads the JVM's beans and every meter: off the event loop
    ctx.vertx().executeBlocking(metrics::scrape, false)
        .onSuccess(text -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
        .onFailure(t -> Failures.send(ctx, t));
  }
}
