package io.nudge.server.contactcentre;

import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code POST /v1/interactions}: the contact centre reports calls, chats, emails, social messages and
 * store visits, one at a time or up to {@value InteractionBody#MAX_INTERACTIONS} in
 * {@code {"interactions": [...]}}. Integration token only; no CORS headers. Rules see each as an
 * {@code Interaction} fact.
 *
 * <p>A request is taken or refused whole: every interaction is checked before any is submitted. The
 * answer, {@code 202 {"accepted": n}}, comes once all are durable in the engine's event log.
 */
public final class InteractionRoutes {
  static final String PATH = "/v1/interactions";

  /** Where interactions go: the engine, or on a cluster node the ingest topic; completes once durable. */
  private final java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink;
  private final Credentials credentials;
  private final InstantSource clock;

  private InteractionRoutes(java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink,
      Credentials credentials, InstantSource clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** @param clock the engine's clock, against which {@code startedAt} may be at most 5 minutes ahead */
  public static InteractionRoutes create(NudgeEngine engine, Credentials credentials, InstantSource clock) {
    Objects.requireNonNull(engine, "engine");
    return new InteractionRoutes(events -> engine.submit(events, NudgeEngine.Ack.DURABLE), credentials, clock);
  }

  /** Routes that hand interactions to {@code sink} (a cluster node's ingest topic), answering once it completes. */
  public static InteractionRoutes into(
      java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink,
      Credentials credentials, InstantSource clock) {
    return new InteractionRoutes(sink, credentials, clock);
  }

  public void mount(Router router) {
    // its own route: vertx-web puts a body handler before any other handler of a route, and this
    // check must come before the body is read, so that a refused request costs nothing
    router.post(PATH).handler(this::checkRequest);
    router.post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(InteractionBody.MAX_BYTES))
        .handler(this::accept)
        .failureHandler(InteractionRoutes::failed);
  }

  private void checkRequest(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    credentials.require(Credentials.Scope.INTEGRATION, request.getHeader(HttpHeaders.AUTHORIZATION));
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.isEmpty() && !media.equals("application/json")) {
      throw ApiError.unsupportedMediaType("content type " + InteractionBody.quote(media)
          + " is not supported: send application/json");
    }
    long declared = declaredLength(request);
    if (declared > InteractionBody.MAX_BYTES) {
      throw InteractionBody.tooLarge(declared);
    }
    ctx.next();
  }

  private void accept(RoutingContext ctx) {
    Instant now = clock.instant();
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    InteractionBody.Items items = InteractionBody.read(body);
    List<Event> events = new ArrayList<>(items.items().size());
    for (int i = 0; i < items.items().size(); i++) {
      try {
        events.add(InteractionReader.read(items.items().get(i), now));
      } catch (ApiError e) {
        throw items.batch() ? e.atIndex(i) : e;
      }
    }
    // completes on the request's event loop, not on the thread that made the events durable
    Context context = ctx.vertx().getOrCreateContext();
    Future.fromCompletionStage(sink.apply(events), context)
        .onSuccess(v -> ctx.response()
            .setStatusCode(202)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("accepted", events.size()).encode()))
        .onFailure(t -> Failures.send(ctx, t));
  }

  /** The Content-Length, or -1; the HTTP decoder has refused one that is not a number. */
  private static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** What a handler threw, and the body handler's bare 413 for a chunked body over the limit. */
  private static void failed(RoutingContext ctx) {
    if (ctx.failure() == null && ctx.statusCode() == 413) {
      InteractionBody.tooLarge().send(ctx);
    } else {
      Failures.handle(ctx);
    }
  }
}
