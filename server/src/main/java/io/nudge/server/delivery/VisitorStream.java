package io.nudge.server.delivery;

import io.nudge.engine.Engagement;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The visitor's own engagements, streamed to their browser.
 *
 * <ul>
 *   <li>{@code POST /v1/visitor/token} with a write key (HTTP Basic username, or {@code writeKey} in the
 *       body) and {@code {"anonymousId": "..."}} returns {@code {"anonymousId": "...", "token": "..."}}.
 *   <li>{@code GET /v1/visitor/stream?anonymousId=...&token=...} (EventSource cannot send headers) streams
 *       {@code engagement} events for that anonymousId only, without the journey summary and without the
 *       customer's ids.
 * </ul>
 *
 * <p>The body of the token request is read as JSON whatever its content type, so a page can send it as
 * {@code text/plain} with the write key inside and skip a CORS preflight. CORS itself is the router's.
 */
public final class VisitorStream implements AutoCloseable {

  public static final String TOKEN_PATH = "/v1/visitor/token";
  public static final String STREAM_PATH = "/v1/visitor/stream";

  static final int MAX_TOKEN_REQUEST_BYTES = 4096;
  static final int MAX_ANONYMOUS_ID_CHARS = 256;

  private final Vertx vertx;
  private final Context context;
  private final Credentials credentials;
  private final VisitorTokens tokens;
  private final AtomicInteger clientCount = new AtomicInteger();

  // Owned by context.
  private final Map<String, Set<SseClient>> byVisitor = new HashMap<>();
  private long heartbeatTimer = -1;
  private boolean closed;

  private VisitorStream(Vertx vertx, Credentials credentials, VisitorTokens tokens, StreamSettings settings) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.credentials = credentials;
    this.tokens = tokens;
    context.runOnContext(v -> {
      if (!closed) {
        heartbeatTimer = vertx.setPeriodic(settings.heartbeat().toMillis(), t -> heartbeat());
      }
    });
  }

  /** A stream with {@link StreamSettings#defaults()}. */
  public static VisitorStream create(Vertx vertx, Credentials credentials, VisitorTokens tokens) {
    return create(vertx, credentials, tokens, StreamSettings.defaults());
  }

  /** A stream with the given heartbeat; the visitor stream keeps nothing for replay. */
  public static VisitorStream create(Vertx vertx, Credentials credentials, VisitorTokens tokens,
      StreamSettings settings) {
    return new VisitorStream(vertx, credentials, tokens, settings);
  }

  public void mount(Router router) {
    router.post(TOKEN_PATH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_TOKEN_REQUEST_BYTES))
        .handler(this::issueToken)
        .failureHandler(VisitorStream::tokenRequestFailed);
    router.get(STREAM_PATH).handler(this::connect);
  }

  /**
   * Sends the engagement to the open streams of these anonymousIds, normally every device id linked to
   * the engagement's customer. Callable from any thread.
   */
  public void publish(Engagement e, Collection<String> anonymousIds) {
    List<String> ids = anonymousIds.stream().filter(Objects::nonNull).distinct().toList();
    String frame = SseClient.event(e.id(), "engagement", EngagementJson.toVisitorJson(e).encode());
    context.runOnContext(v -> {
      for (String id : ids) {
        for (SseClient client : byVisitor.getOrDefault(id, Set.of())) {
          client.send(frame);
        }
      }
    });
  }

  /** Ends the open streams of these anonymousIds (their customer was erased). */
  public void disconnect(Collection<String> anonymousIds) {
    Set<String> ids = Set.copyOf(anonymousIds);
    context.runOnContext(v -> {
      for (String id : ids) {
        Set<SseClient> clients = byVisitor.remove(id);
        if (clients != null) {
          clientCount.addAndGet(-clients.size());
          clients.forEach(SseClient::end);
        }
      }
    });
  }

  /** Visitor streams open now. */
  public int clients() {
    return clientCount.get();
  }

  /** Ends every stream and stops the heartbeat. */
  @Override
  public void close() {
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      byVisitor.values().forEach(set -> set.forEach(SseClient::end));
      byVisitor.clear();
      clientCount.set(0);
    });
  }

  private void issueToken(RoutingContext ctx) {
    try {
      JsonObject body = parseBody(ctx.body().buffer());
      checkWriteKey(ctx.request().getHeader("Authorization"), body);
      if (body == null) {
        throw ApiError.badRequest("visitor token request body is not a JSON object");
      }
      String anonymousId = anonymousId(body.getValue("anonymousId"));
      ctx.response()
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(new JsonObject().put("anonymousId", anonymousId).put("token", tokens.tokenFor(anonymousId)).encode());
    } catch (ApiError e) {
      e.send(ctx);
    }
  }

  private void checkWriteKey(String authorization, JsonObject body) {
    String key = Credentials.basicUser(authorization);
    if (key == null && body != null && body.getValue("writeKey") instanceof String s) {
      key = s;
    }
    if (key == null || key.isEmpty()) {
      throw ApiError.unauthorized("missing write key: send it as the HTTP Basic username or as writeKey in the body");
    }
    if (credentials.isWriteKey(key)) {
      return;
    }
    if (credentials.scopeOf(key) != null) {
      throw ApiError.forbidden("this endpoint needs a write key; the token sent has another scope");
    }
    throw ApiError.unauthorized("unknown write key");
  }

  private static JsonObject parseBody(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      return null;
    }
    try {
      return new JsonObject(buffer);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String anonymousId(Object value) {
    if (value == null || value instanceof String s && s.isBlank()) {
      throw ApiError.badField("anonymousId", "anonymousId is required");
    }
    if (!(value instanceof String id)) {
      throw ApiError.badField("anonymousId", "anonymousId must be a string");
    }
    if (id.length() > MAX_ANONYMOUS_ID_CHARS) {
      throw ApiError.badField("anonymousId", "anonymousId is " + id.length() + " characters, over the "
          + MAX_ANONYMOUS_ID_CHARS + "-character limit");
    }
    return id;
  }

  private static void tokenRequestFailed(RoutingContext ctx) {
    if (ctx.failure() instanceof ApiError e) {
      e.send(ctx);
    } else if (ctx.statusCode() == 413) {
      ApiError.tooLarge("visitor token request body is over the " + MAX_TOKEN_REQUEST_BYTES + "-byte limit")
          .send(ctx);
    } else {
      ctx.next();
    }
  }

  private void connect(RoutingContext ctx) {
    String anonymousId;
    String token;
    try {
      anonymousId = ctx.request().getParam("anonymousId");
      token = ctx.request().getParam("token");
    } catch (IllegalArgumentException e) {
      ApiError.badRequest("the request's path or query is malformed").send(ctx);
      return;
    }
    if (token == null || token.isEmpty()) {
      ApiError.unauthorized("missing visitor token: get one from POST " + TOKEN_PATH + " and pass it as ?token=")
          .send(ctx);
      return;
    }
    if (anonymousId == null || anonymousId.isEmpty()) {
      ApiError.badField("anonymousId", "anonymousId query parameter is required").send(ctx);
      return;
    }
    if (!tokens.matches(anonymousId, token)) {
      ApiError.forbidden("visitor token does not match anonymousId").send(ctx);
      return;
    }
    SseClient[] self = new SseClient[1];
    // not named by its address: a visitor's address is personal data, and logs keep none
    self[0] = SseClient.open(ctx, "a visitor stream client",
        () -> context.runOnContext(v -> leave(anonymousId, self[0])));
    context.runOnContext(v -> join(anonymousId, self[0]));
  }

  private void join(String anonymousId, SseClient client) {
    if (closed) {
      client.end();
      return;
    }
    if (!client.isClosed() && byVisitor.computeIfAbsent(anonymousId, k -> new HashSet<>()).add(client)) {
      clientCount.incrementAndGet();
    }
  }

  private void leave(String anonymousId, SseClient client) {
    Set<SseClient> set = byVisitor.get(anonymousId);
    if (set != null && set.remove(client)) {
      clientCount.decrementAndGet();
      if (set.isEmpty()) {
        byVisitor.remove(anonymousId);
      }
    }
  }

  private void heartbeat() {
    byVisitor.values().forEach(set -> set.forEach(client -> client.send(SseClient.KEEP_ALIVE)));
  }
}
