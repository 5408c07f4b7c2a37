package io.nudge.server.admin;

import io.nudge.engine.Erasure;
import io.nudge.engine.NudgeEngine;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A data subject's rights: {@code DELETE /v1/customers/{id}} erases the customer and answers with a
 * receipt; {@code GET /v1/customers/{id}/export} answers with everything held about them. {@code id}
 * is any id the customer is known by. Admin token only; no CORS headers.
 */
public final class DataSubjectRoutes {
  private final NudgeEngine engine;
  private final Credentials credentials;
  private final InstantSource clock;
  private final Consumer<Erasure> onErased;

  private DataSubjectRoutes(NudgeEngine engine, Credentials credentials, InstantSource clock,
      Consumer<Erasure> onErased) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onErased = Objects.requireNonNull(onErased, "onErased");
  }

  /**
   * @param clock the engine's clock, which dates an export
   * @param onErased told of each erasure, so the adapters that hold some of its data in memory (streams,
   *     webhook retries) let go of it
   */
  public static DataSubjectRoutes create(NudgeEngine engine, Credentials credentials, InstantSource clock,
      Consumer<Erasure> onErased) {
    return new DataSubjectRoutes(engine, credentials, clock, onErased);
  }

  public void mount(Router router) {
    router.delete("/v1/customers/:id").handler(this::erase);
    router.get("/v1/customers/:id/export").handler(this::export);
  }

  private void erase(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    String id = ctx.pathParam("id");
    Context loop = ctx.vertx().getOrCreateContext();
    // the engine erases on its own housekeeping thread, never on this event loop
    Future.fromCompletionStage(engine.erase(id), loop).onSuccess(done -> {
      if (done.isEmpty()) {
        unknown(id).send(ctx);
        return;
      }
      onErased.accept(done.get());
      ok(ctx, receipt(done.get()));
    }).onFailure(t -> Failures.send(ctx, t));
  }

  public static JsonObject receipt(Erasure e) {
    JsonObject receipt = new JsonObject()
        .put("erased", true)
        .put("customerId", e.customerId())
        .put("ids", new JsonObject(new java.util.LinkedHashMap<>(e.ids())))
        .put("records", new JsonObject(new java.util.LinkedHashMap<>(e.records())))
        .put("tombstones", e.tombstones())
        .put("erasedAt", e.erasedAt().toString());
    if (!e.remaining().isEmpty()) {
      receipt.put("remaining", new JsonObject(new java.util.LinkedHashMap<>(e.remaining())));
    }
    return receipt;
  }

  private void export(RoutingContext ctx) {
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    String id = ctx.pathParam("id");
    String customerId = engine.customerOf(id).orElseThrow(() -> unknown(id));
    Context loop = ctx.vertx().getOrCreateContext();
    Future.fromCompletionStage(engine.journey(customerId), loop)
        .compose(journey -> ctx.vertx().executeBlocking(
            () -> CustomerExport.toJson(engine, customerId, journey.orElse(null), clock.instant()), false))
        .onSuccess(body -> ok(ctx, body))
        .onFailure(t -> Failures.send(ctx, t));
  }

  private static ApiError unknown(String id) {
    return ApiError.notFound("no customer is known by id \"" + id + "\"");
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
