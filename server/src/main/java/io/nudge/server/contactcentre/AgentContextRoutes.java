package io.nudge.server.contactcentre;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.Purpose;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.journey.JourneySummary;
import io.nudge.engine.store.TimelineStore;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent desktop shows when a chat or callback starts: {@code GET /v1/customers/{id}/journey},
 * one timeline across channels, newest first and paged, under a short summary. Integration token (or
 * admin token).
 */
public final class AgentContextRoutes {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private final NudgeEngine engine;
  private final Credentials credentials;

  private AgentContextRoutes(NudgeEngine engine, Credentials credentials) {
    this.engine = engine;
    this.credentials = credentials;
  }

  public static AgentContextRoutes create(NudgeEngine engine, Credentials credentials) {
    return new AgentContextRoutes(engine, credentials);
  }

  public void mount(Router router) {
    router.get("/v1/customers/:id/journey").handler(this::journey);
  }

  private void journey(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (credentials.scopeOf(Credentials.bearer(header)) != Credentials.Scope.ADMIN) {
      credentials.require(Credentials.Scope.INTEGRATION, header);
    }
    String id = ctx.pathParam("id");
    int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    long[] before = cursor(ctx);
    String customerId = engine.customerOf(id)
        .orElseThrow(() -> ApiError.notFound("no customer is known by id \"" + id + "\""));
    Context loop = ctx.vertx().getOrCreateContext();
    Future.fromCompletionStage(engine.journey(customerId), loop).compose(journey ->
        ctx.vertx().executeBlocking(() -> page(customerId, journey, before[0], before[1], limit), false))
        .onSuccess(ctx::json)
        .onFailure(t -> Failures.send(ctx, t));
  }

  /**
   * One page: timeline entries older than the cursor, and the engagements decided between this page's
   * oldest entry and the cursor's time (one decided at the same millisecond as an event is shown above
   * it, so it belongs to the page of that event).
   */
  private JsonObject page(String customerId, Optional<Journey> journey, long beforeSequence, long beforeAt,
      int limit) {
    List<TimelineStore.Entry> entries = engine.timeline(customerId, beforeSequence, limit + 1);
    boolean more = entries.size() > limit;
    if (more) {
      entries = entries.subList(0, limit);
    }
    long oldest = more ? entries.get(entries.size() - 1).at() : Long.MIN_VALUE;
    List<JsonObject> items = new ArrayList<>();
    for (TimelineStore.Entry e : entries) {
      items.add(new JsonObject().put("kind", e.kind()).put("at", Instant.ofEpochMilli(e.at()).toString())
          .put("title", e.title()).put("details", new JsonObject(Map.copyOf(e.details()))).put("sort", e.at()).put("seq", e.sequence()));
    }
    for (Decision d : engine.decisions(customerId)) {
      long at = d.decidedAt().toEpochMilli();
      if (at < beforeAt && at >= oldest) {
        items.add(new JsonObject().put("kind", "engagement").put("at", d.decidedAt().toString())
            .put("title", d.engagement().type().id())
            .put("details", new JsonObject().put("engagementId", d.engagement().id())
                .put("rule", d.engagement().rule()).put("outcome", d.outcome().id()).put("reason", d.reason()))
            .put("sort", at).put("seq", Long.MAX_VALUE));
      }
    }
    // newest first; at the same millisecond an engagement comes after (above) the events that led to it
    items.sort(Comparator.comparingLong((JsonObject o) -> o.getLong("sort"))
        .thenComparingLong(o -> o.getLong("seq")).reversed());
    JsonArray timeline = new JsonArray();
    items.forEach(o -> {
      o.remove("sort");
      o.remove("seq");
      timeline.add(o);
    });
    return new JsonObject()
        .put("customerId", customerId)
        .put("summary", summary(customerId, journey))
        .put("timeline", timeline)
        .put("next", more ? entries.get(entries.size() - 1).sequence() + "." + entries.get(entries.size() - 1).at()
            : null);
  }

  private JsonObject summary(String customerId, Optional<Journey> maybe) {
    JsonObject consent = new JsonObject();
    Map<Purpose, ConsentRecord> choices = engine.consent(customerId);
    for (Purpose p : Purpose.values()) {
      consent.put(p.id(), ConsentGate.stateOf(choices.get(p)));
    }
    JsonObject summary = new JsonObject();
    if (maybe.isEmpty()) {
      return summary.put("intent", "unknown").put("consent", consent);
    }
    Journey j = maybe.get();
    summary.put("intent", JourneySummary.intent(j))
        .put("currentPage", j.getCurrentPath())
        .put("visit", j.getVisitCount())
        .put("returning", j.isReturning())
        .put("cart", new JsonObject().put("value", Math.round(j.getCartValue() * 100) / 100.0)
            .put("currency", j.getCartCurrency()).put("quantity", j.getCartQuantity()))
        .put("searches", new JsonArray(j.getSearches()))
        .put("openCases", new JsonArray(j.getOpenCases()))
        .put("consent", consent);
    if (j.getInteractionCount() > 0) {
      summary.put("lastContact", new JsonObject()
          .put("at", Instant.ofEpochMilli(j.getLastContactAt()).toString())
          .put("channel", j.getLastContactChannel()).put("queue", j.getLastContactQueue())
          .put("caseId", j.getLastContactCaseId()).put("reason", j.getLastContactReason())
          .put("resolved", j.isLastContactResolved()));
    }
    return summary;
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw ApiError.badField(name, name + " is " + n + ", must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiError.badField(name, name + " is \"" + v + "\", not a whole number");
    }
  }

  /** {@code before}: the {@code next} of an earlier page, {@code <sequence>.<epoch millis>}. */
  private static long[] cursor(RoutingContext ctx) {
    String v = ctx.request().getParam("before");
    if (v == null || v.isBlank()) {
      return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
    }
    String[] parts = v.trim().split("\\.");
    try {
      if (parts.length == 2) {
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ApiError.badField("before", "before is \"" + v + "\", not the next cursor of an earlier page");
  }
}
