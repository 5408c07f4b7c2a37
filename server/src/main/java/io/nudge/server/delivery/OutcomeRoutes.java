package io.nudge.server.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.engine.Decision;
import io.nudge.engine.InvalidInputException;
import io.nudge.engine.NotFoundException;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.decision.Outcomes;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v1/engagements/{id}/outcome}: what became of an engagement ({@code shown},
 * {@code accepted}, {@code declined}, {@code ignored}, {@code converted}, {@code expired}), reported by
 * the chat system with the integration token, or by the visitor's own page with {@code anonymousId}
 * and {@code visitorToken} in the body. Rules see it as an {@code EngagementOutcome}.
 *
 * <p>A visitor may report only on engagements sent to their own customer; any other id, known or not,
 * gets the same 404, so a visitor learns nothing about other visitors' engagements.
 */
public final class OutcomeRoutes {
  static final String PATH = "/v1/engagements/:id/outcome";
  static final int MAX_BODY_BYTES = 4096;
  static final int MAX_ANONYMOUS_ID_CHARS = 256;
  static final Duration MAX_AHEAD = Duration.ofMinutes(5);
  static final String MISSING_CREDENTIAL = "missing credential: send Authorization: Bearer <integration token>, "
      + "or anonymousId and visitorToken in the body";
  private static final String BY_INTEGRATION = "nudge.outcome.integration";
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(20).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Where outcomes are recorded: the engine, or on a cluster's delivery node, the cluster. */
  public interface Recorder {
    /** As {@link NudgeEngine#recordOutcome}. */
    java.util.concurrent.CompletableFuture<Void> record(String engagementId, String outcome, Instant at);

    /** True when the engagement was sent (not suppressed) to the customer of this anonymousId. */
    boolean sentTo(String anonymousId, String engagementId);
  }

  private final Recorder engine;
  private final Credentials credentials;
  private final VisitorTokens tokens;
  private final InstantSource clock;

  private OutcomeRoutes(Recorder engine, Credentials credentials, VisitorTokens tokens, InstantSource clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param tokens the visitor stream's tokens, so the token that opens a visitor's stream also reports on
   *     what it showed
   * @param clock the engine's clock: the default {@code at}, and what {@code at} may pass by 5 minutes
   */
  public static OutcomeRoutes create(NudgeEngine engine, Credentials credentials, VisitorTokens tokens,
      InstantSource clock) {
    Objects.requireNonNull(engine, "engine");
    return into(new Recorder() {
      @Override
      public java.util.concurrent.CompletableFuture<Void> record(String engagementId, String outcome, Instant at) {
        return engine.recordOutcome(engagementId, outcome, at);
      }

      @Override
      public boolean sentTo(String anonymousId, String engagementId) {
        return engine.customerOf(anonymousId).map(engine::decisions).orElse(List.of()).stream()
            .anyMatch(d -> d.engagement().id().equals(engagementId) && d.outcome() != Decision.Outcome.SUPPRESSED);
      }
    }, credentials, tokens, clock);
  }

  /** Routes that record outcomes through {@code recorder} (a cluster's delivery node). */
  public static OutcomeRoutes into(Recorder recorder, Credentials credentials, VisitorTokens tokens,
      InstantSource clock) {
    return new OutcomeRoutes(recorder, credentials, tokens, clock);
  }

  public void mount(Router router) {
    router.post(PATH).handler(this::checkRequest); // its own route: before the body is read
    router.post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::record)
        .failureHandler(OutcomeRoutes::failed);
  }

  /** A bearer token is checked before the body is read; a visitor's credential is in the body. */
  private void checkRequest(RoutingContext ctx) {
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    boolean bearer = Credentials.bearer(authorization) != null;
    if (bearer) {
      credentials.require(Credentials.Scope.INTEGRATION, authorization);
    }
    ctx.put(BY_INTEGRATION, bearer);
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    // text/plain lets a page send it without a preflight, and with navigator.sendBeacon
    if (!media.isEmpty() && !media.equals("application/json") && !media.equals("text/plain")) {
      throw ApiError.unsupportedMediaType("content type \"" + shorten(media)
          + "\" is not supported: send application/json or text/plain");
    }
    ctx.next();
  }

  private void record(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonNode body = jsonBody(ctx);
    String visitor = Boolean.TRUE.equals(ctx.get(BY_INTEGRATION)) ? null : visitor(body);
    String outcome = outcome(body);
    Instant at = at(body);
    Context context = ctx.vertx().getOrCreateContext();
    // the decision log and the outcomes are in the store: its I/O stays off the event loop
    ctx.vertx().executeBlocking(() -> {
      if (visitor != null) {
        requireSentTo(visitor, id);
      }
      return engine.record(id, outcome, at);
    }, false)
        .compose(recorded -> Future.fromCompletionStage(recorded, context))
        .onSuccess(v -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("engagementId", id).put("outcome", outcome).encode()))
        .onFailure(t -> send(ctx, t));
  }

  /** The visitor's anonymousId, once its token is checked. */
  private String visitor(JsonNode body) {
    JsonNode token = body.get("visitorToken");
    if (token == null || token.isNull() || token.isTextual() && token.textValue().isEmpty()) {
      throw ApiError.unauthorized(MISSING_CREDENTIAL);
    }
    if (!token.isTextual()) {
      throw ApiError.badField("visitorToken", "visitorToken must be a string");
    }
    JsonNode anonymousId = body.get("anonymousId");
    if (anonymousId == null || anonymousId.isNull() || anonymousId.isTextual() && anonymousId.textValue().isBlank()) {
      throw ApiError.badField("anonymousId", "anonymousId is required with visitorToken");
    }
    if (!anonymousId.isTextual()) {
      throw ApiError.badField("anonymousId", "anonymousId must be a string");
    }
    String id = anonymousId.textValue();
    if (id.length() > MAX_ANONYMOUS_ID_CHARS) {
      throw ApiError.badField("anonymousId", "anonymousId is " + id.length() + " characters, over the "
          + MAX_ANONYMOUS_ID_CHARS + "-character limit");
    }
    if (!tokens.matches(id, token.textValue())) {
      throw ApiError.forbidden("visitor token does not match anonymousId");
    }
    return id;
  }

  /** Sent to the visitor's customer, that is; suppressed engagements never reached a page. */
  private void requireSentTo(String anonymousId, String engagementId) {
    if (!engine.sentTo(anonymousId, engagementId)) {
      throw new NotFoundException("no engagement has id \"" + engagementId + "\"");
    }
  }

  private static String outcome(JsonNode body) {
    JsonNode outcome = body.get("outcome");
    if (outcome == null || outcome.isNull()) {
      throw ApiError.badField("outcome", "outcome is required: one of " + String.join(", ", Outcomes.ALL));
    }
    if (!outcome.isTextual()) {
      throw ApiError.badField("outcome", "outcome must be a string");
    }
    return outcome.textValue();
  }

  /** ISO-8601 with an offset or Z, at most 5 minutes ahead of the engine clock; absent means now. */
  private Instant at(JsonNode body) {
    Instant now = clock.instant();
    JsonNode node = body.get("at");
    if (node == null || node.isNull()) {
      return now;
    }
    Instant at = null;
    if (node.isTextual()) {
      try {
        at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(node.textValue().trim(), OffsetDateTime::from).toInstant();
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    if (at == null) {
      String shown = node.isTextual() ? "\"" + shorten(node.textValue()) + "\"" : shorten(node.toString());
      throw ApiError.badField("at", "at " + shown + " is not an ISO-8601 date-time with an offset or Z, "
          + "such as 2026-11-23T10:00:00Z");
    }
    if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
      throw ApiError.badField("at", "at " + at + " is out of range: years 1 to 9999");
    }
    if (at.isAfter(now.plus(MAX_AHEAD))) {
      throw ApiError.badField("at", "at " + at + " is more than 5 minutes ahead of Nudge's clock (" + now + ")");
    }
    return at;
  }

  private static JsonNode jsonBody(RoutingContext ctx) {
    byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (bytes.length == 0) {
      throw ApiError.badRequest("body is empty: send a JSON object such as {\"outcome\": \"accepted\"}");
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest("body is not valid UTF-8");
    }
    JsonNode parsed;
    try {
      parsed = STRICT.readTree(bytes);
    } catch (StreamConstraintsException e) {
      String message = String.valueOf(e.getOriginalMessage());
      throw ApiError.badRequest(message.startsWith("Document nesting depth")
          ? "nesting is deeper than the 20-level limit" : "body is not valid JSON");
    } catch (StreamReadException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field '")) {
        String key = message.substring("Duplicate field '".length(), message.lastIndexOf('\''));
        throw ApiError.badField(shorten(key), "duplicate key \"" + shorten(key) + "\"");
      }
      throw ApiError.badRequest("body is not valid JSON");
    } catch (IOException e) {
      throw ApiError.badRequest("body is not valid JSON");
    }
    if (parsed == null || !parsed.isObject()) {
      throw ApiError.badRequest("body must be a JSON object");
    }
    return parsed;
  }

  /** The engine's refusals, as the HTTP API names them. */
  private static void send(RoutingContext ctx, Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof NotFoundException) {
      ApiError.notFound(t.getMessage()).send(ctx);
    } else if (t instanceof Outcomes.ConflictException) {
      ApiError.conflict(t.getMessage()).send(ctx);
    } else if (t instanceof InvalidInputException) {
      ApiError.badField("outcome", t.getMessage()).send(ctx);
    } else {
      Failures.send(ctx, t);
    }
  }

  private static void failed(RoutingContext ctx) {
    if (ctx.failure() == null && ctx.statusCode() == 413) {
      ApiError.tooLarge("request body is over the " + MAX_BODY_BYTES + "-byte limit").send(ctx);
    } else {
      Failures.handle(ctx);
    }
  }

  /** A value as sent, cut to 64 characters so a huge value is not echoed back whole. */
  private static String shorten(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
