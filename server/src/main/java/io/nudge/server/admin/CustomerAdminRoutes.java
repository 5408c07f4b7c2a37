package io.nudge.server.admin;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.http.JsonBodies;
import io.nudge.server.privacy.ConsentChoices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;

/**
 * The admin API about one customer: consent ({@code PUT}/{@code GET /v1/customers/{id}/consent}) and
 * the decision log ({@code GET /v1/customers/{id}/decisions}). Admin token only; no CORS headers.
 */
public final class CustomerAdminRoutes {
  private static final int MAX_BODY_BYTES = 16 * 1024;

  private final NudgeEngine engine;
  private final Credentials credentials;

  private CustomerAdminRoutes(NudgeEngine engine, Credentials credentials) {
    this.engine = engine;
    this.credentials = credentials;
  }

  public static CustomerAdminRoutes create(NudgeEngine engine, Credentials credentials) {
    return new CustomerAdminRoutes(engine, credentials);
  }

  public void mount(Router router) {
    router.route("/v1/customers/*").handler(this::authorize);
    router.put("/v1/customers/:id/consent")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::putConsent);
    router.get("/v1/customers/:id").handler(this::getCustomer);
    router.get("/v1/customers/:id/consent").handler(this::getConsent);
    router.get("/v1/customers/:id/decisions").handler(this::getDecisions);
  }

  private void authorize(RoutingContext ctx) {
    if (ctx.request().path().endsWith("/journey")) {
      ctx.next(); // the agent context, for the integration token too: AgentContextRoutes checks it
      return;
    }
    credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
    ctx.next();
  }

  private void putConsent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Map<Purpose, Boolean> choices = ConsentChoices.parse(JsonBodies.object(ctx));
    offLoop(ctx, () -> {
      engine.setConsent(id, choices, "api");
      return consentJson(id);
    });
  }

  private void getCustomer(RoutingContext ctx) {
    String customerId = requireKnown(ctx.pathParam("id"));
    Context loop = ctx.vertx().getOrCreateContext();
    Future.fromCompletionStage(engine.journey(customerId), loop).onSuccess(journey -> {
      io.nudge.engine.CustomerIds ids = engine.ids(customerId);
      JsonArray links = new JsonArray();
      ids.links().forEach(l -> links.add(new JsonObject().put("id", l.id()).put("kind", l.kind())
          .put("reason", l.reason()).put("linkedAt", l.at().toString())));
      JsonArray conflicts = new JsonArray();
      ids.conflicts().forEach(c -> conflicts.add(new JsonObject().put("anonymousId", c.anonymousId())
          .put("otherCustomer", c.otherCustomer())));
      JsonObject body = new JsonObject()
          .put("customerId", customerId)
          .put("anonymousIds", new JsonArray(List.copyOf(new java.util.TreeSet<>(engine.anonymousIdsOf(customerId)))))
          .put("links", links)
          .put("merged", new JsonArray(ids.merged()))
          .put("conflicts", conflicts);
      journey.ifPresent(j -> body.put("journey", JourneyJson.toJson(j)));
      ok(ctx, body);
    }).onFailure(t -> Failures.send(ctx, t));
  }

  private void getConsent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    requireKnown(id);
    offLoop(ctx, () -> consentJson(id));
  }

  private JsonObject consentJson(String id) {
    JsonObject consent = new JsonObject();
    for (ConsentRecord c : engine.consent(id).values()) {
      consent.put(c.purpose().id(), new JsonObject()
          .put("granted", c.granted())
          .put("source", c.source())
          .put("at", c.at().toString()));
    }
    JsonArray history = new JsonArray();
    for (ConsentRecord c : engine.consentHistory(id)) {
      history.add(new JsonObject().put("purpose", c.purpose().id()).put("granted", c.granted())
          .put("source", c.source()).put("at", c.at().toString()));
    }
    return new JsonObject().put("customerId", engine.customerOf(id).orElse(id)).put("consent", consent)
        .put("history", history);
  }

  private void getDecisions(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String customerId = requireKnown(id);
    offLoop(ctx, () -> decisionsJson(customerId));
  }

  private JsonObject decisionsJson(String customerId) {
    List<Decision> decisions = engine.decisions(customerId);
    JsonArray list = new JsonArray();
    for (int i = decisions.size() - 1; i >= 0; i--) {
      Decision d = decisions.get(i);
      list.add(DecisionJson.of(d).put("explanation", DecisionJson.explanation(d)));
    }
    return new JsonObject().put("customerId", customerId).put("decisions", list);
  }

  /** Store reads and writes run on a worker thread, never on the event loop. */
  private static void offLoop(RoutingContext ctx, java.util.concurrent.Callable<JsonObject> work) {
    ctx.vertx().executeBlocking(work, false)
        .onSuccess(body -> ok(ctx, body))
        .onFailure(t -> Failures.send(ctx, t));
  }

  private String requireKnown(String id) {
    return engine.customerOf(id)
        .orElseThrow(() -> ApiError.notFound("no customer is known by id \"" + id + "\""));
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
