package io.nudge.server.privacy;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Erasure;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.server.admin.CustomerExport;
import io.nudge.server.admin.DataSubjectRoutes;
import io.nudge.server.delivery.VisitorTokens;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Failures;
import io.nudge.server.http.JsonBodies;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a visitor may do about their own data, from their own browser, with their visitor credential
 * ({@link VisitorCredential}): never by an id alone, never for anyone else.
 *
 * <ul>
 *   <li>{@code GET /v1/visitor/data}: their consent per purpose and everything held about the customer
 *       their anonymousId belongs to, as the admin export shows it, without other customers' ids.
 *   <li>{@code POST /v1/visitor/consent} with {@code {"personalization": false}}: a choice recorded with
 *       source {@code visitor}; it applies to the next decision.
 *   <li>{@code POST /v1/visitor/forget}: the same erasure as {@code DELETE /v1/customers/{id}}, answered
 *       with its receipt; 404 when nothing is held.
 * </ul>
 */
public final class VisitorPrivacyRoutes {
  static final String DATA_PATH = "/v1/visitor/data";
  static final String CONSENT_PATH = "/v1/visitor/consent";
  static final String FORGET_PATH = "/v1/visitor/forget";
  private static final int MAX_BODY_BYTES = 4 * 1024;

  private final NudgeEngine engine;
  private final VisitorTokens tokens;
  private final ConsentDefault consentDefault;
  private final InstantSource clock;
  private final Consumer<Erasure> onErased;

  private VisitorPrivacyRoutes(NudgeEngine engine, VisitorTokens tokens, ConsentDefault consentDefault,
      InstantSource clock, Consumer<Erasure> onErased) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.consentDefault = Objects.requireNonNull(consentDefault, "consentDefault");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onErased = Objects.requireNonNull(onErased, "onErased");
  }

  /**
   * @param consentDefault what an unset purpose means, to say whether it lets engagements through
   * @param onErased told of each erasure, like the admin API's, so streams and retries let go of it
   */
  public static VisitorPrivacyRoutes create(NudgeEngine engine, VisitorTokens tokens, ConsentDefault consentDefault,
      InstantSource clock, Consumer<Erasure> onErased) {
    return new VisitorPrivacyRoutes(engine, tokens, consentDefault, clock, onErased);
  }

  public void mount(Router router) {
    router.get(DATA_PATH).handler(this::data);
    router.post(CONSENT_PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::consent);
    router.post(FORGET_PATH).handler(this::forget);
  }

  private VisitorCredential visitor(RoutingContext ctx) {
    return VisitorCredential.require(ctx.request().getHeader("Authorization"), tokens);
  }

  private void data(RoutingContext ctx) {
    String anonymousId = visitor(ctx).anonymousId();
    Optional<String> customerId = engine.customerOf(anonymousId);
    Context loop = ctx.vertx().getOrCreateContext();
    if (customerId.isEmpty()) {
      answer(ctx, ctx.vertx().executeBlocking(() -> body(anonymousId, null), false));
      return;
    }
    answer(ctx, Future.fromCompletionStage(engine.journey(customerId.get()), loop)
        .compose(journey -> ctx.vertx().executeBlocking(() -> body(anonymousId,
            visitorsOwn(CustomerExport.toJson(engine, customerId.get(), journey.orElse(null), clock.instant()))),
            false)));
  }

  private JsonObject body(String anonymousId, JsonObject profile) {
    return new JsonObject()
        .put("anonymousId", anonymousId)
        .put("known", profile != null)
        .put("consentDefault", consentDefault == ConsentDefault.OPT_OUT ? "opt-out" : "opt-in")
        .put("purposes", ConsentChoices.all(engine.consent(anonymousId), consentDefault))
        .put("profile", profile);
  }

  /** The export without what names other customers: the ids of a customer an anonymousId conflicted with. */
  private static JsonObject visitorsOwn(JsonObject export) {
    JsonObject ids = export.getJsonObject("ids");
    if (ids != null) {
      ids.put("conflicts", new JsonArray());
    }
    return export;
  }

  private void consent(RoutingContext ctx) {
    String anonymousId = visitor(ctx).anonymousId();
    Map<Purpose, Boolean> choices = ConsentChoices.parse(JsonBodies.object(ctx, true));
    answer(ctx, ctx.vertx().executeBlocking(() -> {
      engine.setConsent(anonymousId, choices, ConsentRecord.VISITOR);
      return new JsonObject().put("anonymousId", anonymousId)
          .put("purposes", ConsentChoices.all(engine.consent(anonymousId), consentDefault));
    }, false));
  }

  private void forget(RoutingContext ctx) {
    String anonymousId = visitor(ctx).anonymousId();
    Context loop = ctx.vertx().getOrCreateContext();
    // the engine erases on its own housekeeping thread, never on this event loop
    Future.fromCompletionStage(engine.erase(anonymousId), loop).onSuccess(done -> {
      if (done.isEmpty()) {
        ApiError.notFound("nothing is held about this visitor").send(ctx);
        return;
      }
      onErased.accept(done.get());
      ok(ctx, DataSubjectRoutes.receipt(done.get()));
    }).onFailure(t -> Failures.send(ctx, t));
  }

  private static void answer(RoutingContext ctx, Future<JsonObject> body) {
    body.onSuccess(json -> ok(ctx, json)).onFailure(t -> Failures.send(ctx, t));
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }
}
