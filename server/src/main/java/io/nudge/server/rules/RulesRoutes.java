package io.nudge.server.rules;

import io.nudge.engine.RuleProblem;
import io.nudge.engine.simulate.ShadowReplay;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * The rules over HTTP, admin token: {@code GET /v1/rules} (what runs, its history, the last error,
 * per-rule counts), {@code POST /v1/rules/validate} (compile without deploying), {@code PUT
 * /v1/rules/{file}} (upload one file and deploy), {@code POST /v1/rules/rollback}. Compiling takes a
 * second or two: all of it runs off the event loop.
 */
public final class RulesRoutes {
  private static final int MAX_BODY = 1024 * 1024;

  private final RuleDeployment deployment;
  private final Credentials credentials;
  private final java.time.InstantSource clock;
  private final java.time.Duration sessionTimeout;

  private RulesRoutes(RuleDeployment deployment, Credentials credentials, java.time.InstantSource clock,
      java.time.Duration sessionTimeout) {
    this.deployment = deployment;
    this.credentials = credentials;
    this.clock = clock;
    this.sessionTimeout = sessionTimeout;
  }

  /** @param sessionTimeout the engine's visit timeout, which a shadow replay uses too */
  public static RulesRoutes create(RuleDeployment deployment, Credentials credentials, java.time.InstantSource clock,
      java.time.Duration sessionTimeout) {
    return new RulesRoutes(deployment, credentials, clock, sessionTimeout);
  }

  public void mount(Router router) {
    router.route("/v1/rules*").handler(ctx -> {
      credentials.require(Credentials.Scope.ADMIN, ctx.request().getHeader("Authorization"));
      ctx.next();
    });
    router.get("/v1/rules").handler(ctx -> offLoop(ctx, this::status));
    router.post("/v1/rules/validate").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .handler(this::validate);
    router.post("/v1/rules/rollback").handler(this::rollback);
    router.post("/v1/rules/simulate").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .handler(this::simulate);
    router.put("/v1/rules/:file").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::put);
  }

  private JsonObject status() {
    RuleDeployment.Status s = deployment.status();
    JsonArray history = new JsonArray();
    for (RuleDeployment.Version v : s.history()) {
      history.add(new JsonObject().put("version", v.version()).put("deployedAt", v.deployedAt().toString())
          .put("how", v.how()));
    }
    JsonObject counts = new JsonObject();
    deployment.counts().forEach((rule, c) -> counts.put(rule, new JsonObject().put("sent", c[0])
        .put("suppressed", c[1])));
    return new JsonObject()
        .put("version", s.running().version())
        .put("deployedAt", s.running().deployedAt().toString())
        .put("files", new JsonArray(List.copyOf(new TreeMap<>(s.running().files()).keySet())))
        .put("status", s.lastProblems().isEmpty() ? "deployed" : "last change refused")
        .put("problems", problems(s.lastProblems()))
        .put("lastAttemptAt", s.lastAttemptAt() == null ? null : s.lastAttemptAt().toString())
        .put("rules", counts)
        .put("history", history);
  }

  private void validate(RoutingContext ctx) {
    Map<String, String> map = files(object(ctx));
    offLoop(ctx, () -> {
      List<RuleProblem> problems = RuleDeployment.validate(map);
      return new JsonObject().put("valid", problems.isEmpty()).put("problems", problems(problems));
    });
  }

  /**
   * {@code {"files": {...}, "from": "...", "to": "..."}}: files optional (the rules folder on disk),
   * the range optional (the last 24 hours up to now).
   */
  private void simulate(RoutingContext ctx) {
    JsonObject body = ctx.body().length() == 0 ? new JsonObject() : object(ctx);
    Map<String, String> files = null;
    if (body.getValue("files") != null) {
      files = files(body);
    }
    java.time.Instant to = instant(body, "to", clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    java.time.Instant from = instant(body, "from", to.minus(java.time.Duration.ofDays(1)));
    if (!from.isBefore(to)) {
      throw ApiError.badField("from", "from " + from + " must be before to " + to);
    }
    Map<String, String> candidate = files;
    offLoop(ctx, () -> {
      ShadowReplay.Result r;
      try {
        r = deployment.simulate(candidate, from, to, sessionTimeout);
      } catch (io.nudge.engine.RuleCompilationException e) {
        throw new Refused(e.problems());
      }
      JsonArray rules = new JsonArray();
      for (ShadowReplay.RuleChange c : r.rules()) {
        rules.add(new JsonObject().put("rule", c.rule()).put("added", c.added()).put("removed", c.removed())
            .put("sampleCustomers", new JsonArray(List.copyOf(c.sampleCustomers()))));
      }
      return new JsonObject().put("from", from.toString()).put("to", to.toString()).put("events", r.events())
          .put("current", r.currentEngagements()).put("candidate", r.candidateEngagements())
          .put("changes", rules);
    });
  }

  private static java.time.Instant instant(JsonObject body, String field, java.time.Instant fallback) {
    Object v = body.getValue(field);
    if (v == null) {
      return fallback;
    }
    try {
      return java.time.Instant.parse(v.toString());
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiError.badField(field, field + " \"" + v + "\" is not a time such as 2026-11-23T10:00:00Z");
    }
  }

  private static Map<String, String> files(JsonObject body) {
    JsonObject files = body.getValue("files") instanceof JsonObject o ? o : null;
    if (files == null || files.isEmpty()) {
      throw ApiError.badField("files", "files is required: an object of file name to file text");
    }
    Map<String, String> map = new TreeMap<>();
    for (String name : files.fieldNames()) {
      if (!(files.getValue(name) instanceof String text)) {
        throw ApiError.badField("files." + name, "files." + name + " must be the file's text");
      }
      map.put(name, text);
    }
    return map;
  }

  private void put(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    try {
      RuleDeployment.checkName(name);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw ApiError.badRequest("body is empty: send the rule file's text");
    }
    offLoop(ctx, () -> {
      List<RuleProblem> problems = deployment.put(name, text);
      if (!problems.isEmpty()) {
        throw new Refused(problems);
      }
      return status();
    });
  }

  private void rollback(RoutingContext ctx) {
    offLoop(ctx, () -> {
      try {
        deployment.rollback();
      } catch (IllegalStateException e) {
        throw ApiError.conflict(e.getMessage());
      }
      return status();
    });
  }

  /** A file that did not compile: 400 with every problem, nothing deployed. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient List<RuleProblem> problems;

    Refused(List<RuleProblem> problems) {
      super(null, null, false, false);
      this.problems = problems;
    }
  }

  private static JsonArray problems(List<RuleProblem> problems) {
    JsonArray out = new JsonArray();
    for (RuleProblem p : problems) {
      out.add(new JsonObject().put("file", p.file()).put("line", p.line()).put("column", p.column())
          .put("message", p.message()));
    }
    return out;
  }

  private static JsonObject object(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw ApiError.badRequest("body is empty: send {\"files\": {\"name.drl\": \"...\"}}");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw ApiError.badRequest("body is not a JSON object: send {\"files\": {\"name.drl\": \"...\"}}");
    }
  }

  private static void offLoop(RoutingContext ctx, Callable<JsonObject> work) {
    ctx.vertx().executeBlocking(work, false)
        .onSuccess(ctx::json)
        .onFailure(t -> {
          if (t instanceof Refused r) {
            ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", "the rules were not deployed: " + r.problems.get(0))
                    .put("problems", problems(r.problems)).encode());
          } else {
            Failures.send(ctx, t);
          }
        });
  }
}
