package io.nudge.server.ingest;

import io.nudge.engine.Event;
import io.nudge.engine.Event.EventType;
import io.nudge.engine.NudgeEngine;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Segment's HTTP tracking API, so any Segment SDK or a plain {@code fetch} can send behaviour to the
 * engine: {@code POST /v1/batch, /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/alias, /v1/group}
 * and their one-letter short forms ({@code /v1/b}, {@code /v1/t}, ...).
 *
 * <p>The write key comes as HTTP Basic user name (empty password) or as {@code writeKey} in the
 * body. Bodies are JSON sent as {@code application/json} or {@code text/plain} (what
 * {@code navigator.sendBeacon} sends), optionally gzipped. The answer, {@code {"success":true}}, comes
 * once every event is durable in the engine's event log.
 *
 * <p>Mount these routes before any handler that reads the body or runs asynchronously: the body is
 * read here, with its own limit and JSON 413, and must not have been read or let flow before.
 */
public final class SegmentIngestRoutes {
  static final String MISSING_WRITE_KEY =
      "missing write key: send HTTP Basic auth with the write key as user name, or writeKey in the body";
  static final String UNKNOWN_WRITE_KEY = "unknown write key";
  private static final String SUCCESS = "{\"success\":true}";

  /** Where accepted events go: the engine, or on a cluster node the ingest topic; completes once durable. */
  private final java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink;
  private final Credentials credentials;
  private final SegmentParser parser;
  private final BoundedBody bodies;
  private final InstantSource clock;

  private SegmentIngestRoutes(java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink,
      Credentials credentials, SegmentParser parser, InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.bodies = new BoundedBody(parser.limits());
  }

  /** Routes whose receipt times come from the system clock. */
  public static SegmentIngestRoutes create(NudgeEngine engine, Credentials credentials, SegmentParser parser) {
    return create(engine, credentials, parser, InstantSource.system());
  }

  /** Routes whose receipt times come from {@code clock}, the engine's clock. */
  public static SegmentIngestRoutes create(
      NudgeEngine engine, Credentials credentials, SegmentParser parser, InstantSource clock) {
    Objects.requireNonNull(engine, "engine");
    return new SegmentIngestRoutes(events -> engine.submit(events, NudgeEngine.Ack.DURABLE), credentials, parser,
        clock);
  }

  /**
   * Routes that hand accepted events to {@code sink} (a cluster node's ingest topic), answering 200 once
   * its future completes.
   */
  public static SegmentIngestRoutes into(
      java.util.function.Function<List<Event>, java.util.concurrent.CompletionStage<Void>> sink,
      Credentials credentials, SegmentParser parser, InstantSource clock) {
    return new SegmentIngestRoutes(sink, credentials, parser, clock);
  }

  /** Adds the fourteen POST routes to {@code router}. */
  public void mount(Router router) {
    router.post("/v1/batch").handler(ctx -> handle(ctx, null));
    router.post("/v1/b").handler(ctx -> handle(ctx, null));
    for (EventType type : EventType.segmentCalls()) {
      router.post("/v1/" + type.id()).handler(ctx -> handle(ctx, type));
      router.post("/v1/" + type.id().charAt(0)).handler(ctx -> handle(ctx, type));
    }
  }

  /** @param type the call the path names, or null for a batch */
  private void handle(RoutingContext ctx, EventType type) {
    Instant receivedAt = clock.instant();
    try {
      HttpServerRequest request = ctx.request();
      String basicKey = Credentials.basicUser(request.getHeader(HttpHeaders.AUTHORIZATION));
      if (basicKey != null && basicKey.isEmpty()) {
        basicKey = null;
      }
      if (basicKey != null && !credentials.isWriteKey(basicKey)) {
        throw ApiError.unauthorized(UNKNOWN_WRITE_KEY);
      }
      checkContentType(request.getHeader(HttpHeaders.CONTENT_TYPE));
      boolean gzip = isGzip(request.getHeader(HttpHeaders.CONTENT_ENCODING));
      long declared = bodies.checkDeclaredLength(request);
      String knownKey = basicKey;
      // Global Privacy Control, or the older Do Not Track, from the visitor's browser
      boolean signal = "1".equals(request.getHeader("Sec-GPC")) || "1".equals(request.getHeader("DNT"));
      Context context = ctx.vertx().getOrCreateContext();
      bodies.read(ctx, declared)
          .compose(body -> ingest(body, gzip, type, knownKey, receivedAt, context, signal))
          .onSuccess(v -> ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(SUCCESS))
          .onFailure(t -> Failures.send(ctx, t));
    } catch (RuntimeException e) {
      Failures.send(ctx, e);
    }
  }

  private Future<Void> ingest(Buffer body, boolean gzip, EventType type, String basicKey, Instant receivedAt,
      Context context, boolean privacySignal) {
    byte[] bytes = gzip ? bodies.gunzip(body.getBytes()) : body.getBytes();
    SegmentParser.Payload payload = type == null ? parser.readBatch(bytes) : parser.read(type, bytes);
    String writeKey = basicKey;
    if (writeKey == null) {
      writeKey = payload.writeKey();
      if (writeKey == null) {
        throw ApiError.unauthorized(MISSING_WRITE_KEY);
      }
      if (!credentials.isWriteKey(writeKey)) {
        throw ApiError.unauthorized(UNKNOWN_WRITE_KEY);
      }
    }
    List<Event> events = parser.events(payload, receivedAt, SegmentParser.sourceId(writeKey), privacySignal);
    return submitAll(events, context);
  }

  /**
   * Hands the events to the engine and completes once they are durable in its event log: a 200 means
   * nothing is lost even if the process dies right after. A full shard queue refuses the whole batch
   * before anything is logged.
   */
  private Future<Void> submitAll(List<Event> events, Context context) {
    // completes on the request's event loop, not on the thread that made the events durable
    return Future.fromCompletionStage(sink.apply(events), context);
  }

  private static void checkContentType(String header) {
    if (header == null || header.isBlank()) {
      return;
    }
    String media = header.split(";", 2)[0].trim();
    String lower = media.toLowerCase(Locale.ROOT);
    // RudderStack's node SDK labels its gzipped JSON as a form; the body is read as JSON all the same
    if (!lower.equals("application/json") && !lower.equals("text/plain")
        && !lower.equals("application/x-www-form-urlencoded")) {
      throw ApiError.unsupportedMediaType("content type " + EventReader.quote(media)
          + " is not supported: send application/json or text/plain");
    }
  }

  private static boolean isGzip(String header) {
    if (header == null || header.isBlank() || header.trim().equalsIgnoreCase("identity")) {
      return false;
    }
    String encoding = header.trim();
    if (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip")) {
      return true;
    }
    throw ApiError.unsupportedMediaType("content encoding " + EventReader.quote(encoding)
        + " is not supported: send gzip or no encoding");
  }
}
