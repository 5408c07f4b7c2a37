package io.nudge.server.admin;

import io.nudge.engine.store.Outbox;
import io.nudge.server.delivery.EngagementJson;
import io.nudge.server.delivery.WebhookDelivery;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Dead letters: engagements the webhook gave up on after {@code NUDGE_WEBHOOK_EXPIRY}.
 * {@code GET /v1/dead-letters} lists them, {@code POST /v1/dead-letters/{id}/redeliver} sends one again.
 * Admin token only.
 */
public final class DeliveryAdminRoutes {
  private final Outbox outbox;
  private final WebhookDelivery webhooks;
  private final Credentials credentials;

  private DeliveryAdminRoutes(Outbox outbox, WebhookDelivery webhooks, Credentials credentials) {
    this.outbox = outbox;
    this.webhooks = webhooks;
    this.credentials = credentials;
  }

  /** @param webhooks null when no webhook is configured */
  public static DeliveryAdminRoutes create(Outbox outbox, WebhookDelivery webhooks, Credentials credentials) {
    return new DeliveryAdminRoutes(outbox, webhooks, credentials);
  }

  public void mount(Router router) {
    router.route("/v1/dead-letters*").handler(ctx -> {
      credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
      ctx.next();
    });
    router.get("/v1/dead-letters").handler(this::list);
    router.post("/v1/dead-letters/:id/redeliver").handler(this::redeliver);
  }

  private void list(RoutingContext ctx) {
    ctx.vertx().executeBlocking(outbox::deadLetters, false).onSuccess(letters -> {
      JsonArray list = new JsonArray();
      letters.forEach(d -> list.add(new JsonObject()
          .put("engagement", EngagementJson.toJson(d.engagement()))
          .put("reason", d.reason())
          .put("at", d.at().toString())));
      ctx.json(new JsonObject().put("deadLetters", list));
    }).onFailure(t -> Failures.send(ctx, t));
  }

  private void redeliver(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (webhooks == null) {
      throw ApiError.conflict("no webhook is configured (NUDGE_WEBHOOK_URL), so nothing can be redelivered");
    }
    webhooks.redeliver(id).onSuccess(found -> {
      if (!found) {
        ApiError.notFound("no dead letter has id \"" + id + "\"").send(ctx);
      } else {
        ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("redelivering", id).encode());
      }
    }).onFailure(t -> Failures.send(ctx, t));
  }
}
