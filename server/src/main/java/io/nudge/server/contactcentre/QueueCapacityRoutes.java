package io.nudge.server.contactcentre;

import io.nudge.engine.NudgeEngine;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.policy.QueueCapacity;
import io.nudge.engine.policy.QueueRules;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code PUT /v1/queues/{queue}/capacity}: the contact centre reports how many agents of a queue are
 * free and the expected wait, so chats are offered only when someone can answer. {@code GET
 * /v1/queues}: every queue's hours (from the contact policy), whether it is open now, and its latest
 * report. Both take the integration token.
 */
public final class QueueCapacityRoutes {
  private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Set<String> FIELDS = Set.of("availableAgents", "expectedWaitSeconds");
  private static final int MAX_BODY = 4096;

  private final NudgeEngine engine;
  private final Credentials credentials;
  private final ContactPolicy policy;
  private final InstantSource clock;

  private QueueCapacityRoutes(NudgeEngine engine, Credentials credentials, ContactPolicy policy, InstantSource clock) {
    this.engine = engine;
    this.credentials = credentials;
    this.policy = policy;
    this.clock = clock;
  }

  public static QueueCapacityRoutes create(NudgeEngine engine, Credentials credentials, ContactPolicy policy,
      InstantSource clock) {
    return new QueueCapacityRoutes(engine, credentials, policy, clock);
  }

  public void mount(Router router) {
    router.put("/v1/queues/:queue/capacity").handler(this::authorise);
    router.put("/v1/queues/:queue/capacity").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .handler(this::report);
    router.get("/v1/queues").handler(this::list);
  }

  private void authorise(RoutingContext ctx) {
    credentials.require(Credentials.Scope.INTEGRATION, ctx.request().getHeader("Authorization"));
    ctx.next();
  }

  private void report(RoutingContext ctx) {
    String queue = ctx.pathParam("queue");
    if (!QUEUE.matcher(queue).matches()) {
      throw ApiError.badRequest("queue \"" + queue + "\" must be 1 to 64 letters, digits, '.', '-' or '_'");
    }
    JsonObject body = body(ctx);
    int agents = whole(body, "availableAgents", 1_000_000);
    double waitSeconds = number(body, "expectedWaitSeconds", 86_400);
    QueueCapacity.Report r = new QueueCapacity.Report(queue, agents, Duration.ofMillis(Math.round(waitSeconds * 1000)),
        clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    engine.reportCapacity(r);
    ctx.json(json(queue, policy.queue(queue), r, r.reportedAt()));
  }

  private void list(RoutingContext ctx) {
    credentials.require(Credentials.Scope.INTEGRATION, ctx.request().getHeader("Authorization"));
    Instant now = clock.instant();
    var reports = engine.capacity();
    Set<String> names = new TreeSet<>(policy.queues().keySet());
    names.addAll(reports.keySet());
    JsonArray queues = new JsonArray();
    for (String name : names) {
      queues.add(json(name, policy.queue(name), reports.get(name), now));
    }
    ctx.json(new JsonObject().put("queues", queues));
  }

  private static JsonObject json(String queue, QueueRules rules, QueueCapacity.Report report, Instant now) {
    JsonObject out = new JsonObject().put("queue", queue).put("open", rules.isOpen(now));
    if (rules.maxWait() != null) {
      out.put("maxWaitSeconds", rules.maxWait().toMillis() / 1000.0);
    }
    if (report != null) {
      out.put("availableAgents", report.availableAgents())
          .put("expectedWaitSeconds", report.expectedWait().toMillis() / 1000.0)
          .put("reportedAt", report.reportedAt().toString())
          .put("current", !report.reportedAt().plus(QueueCapacity.STALE_AFTER).isBefore(now));
    }
    return out;
  }

  private static JsonObject body(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw ApiError.badRequest("body is empty: send {\"availableAgents\": 2, \"expectedWaitSeconds\": 30}");
    }
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw ApiError.badRequest("body is not a JSON object: send {\"availableAgents\": 2, \"expectedWaitSeconds\": 30}");
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiError.badField(field, "\"" + field + "\" is not a field here: send availableAgents and "
            + "expectedWaitSeconds");
      }
    }
    return body;
  }

  private static int whole(JsonObject body, String field, int max) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiError.badField(field, field + " is required");
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0 || ((Number) v).longValue() > max) {
      throw ApiError.badField(field, field + " is " + v + ", must be a whole number from 0 to " + max);
    }
    return ((Number) v).intValue();
  }

  private static double number(JsonObject body, String field, double max) {
    Object v = body.getValue(field);
    if (v == null) {
      throw ApiError.badField(field, field + " is required");
    }
    if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || n.doubleValue() > max) {
      throw ApiError.badField(field, field + " is " + v + ", must be a number of seconds from 0 to " + (long) max);
    }
    return n.doubleValue();
  }
}
