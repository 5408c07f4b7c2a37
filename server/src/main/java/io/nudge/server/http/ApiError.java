package io.nudge.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one shape of every HTTP error: {@code {"error": "...", "field": "...", "index": 3}}, lower case,
 * no stack trace. Throw it from a handler, or {@link #send} it directly.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final Integer index;
  private final Integer retryAfterSeconds;

  private ApiError(int status, String message, String field, Integer index, Integer retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
    this.index = index;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, message, null, null, null);
  }

  /** 400 naming the offending field, for example {@code properties.price}. */
  public static ApiError badField(String field, String message) {
    return new ApiError(400, message, field, null, null);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, message, null, null, null);
  }

  public static ApiError forbidden(String message) {
    return new ApiError(403, message, null, null, null);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, message, null, null, null);
  }

  public static ApiError methodNotAllowed(String message) {
    return new ApiError(405, message, null, null, null);
  }

  public static ApiError conflict(String message) {
    return new ApiError(409, message, null, null, null);
  }

  public static ApiError tooLarge(String message) {
    return new ApiError(413, message, null, null, null);
  }

  public static ApiError unsupportedMediaType(String message) {
    return new ApiError(415, message, null, null, null);
  }

  public static ApiError tooManyRequests(String message, int retryAfterSeconds) {
    return new ApiError(429, message, null, null, retryAfterSeconds);
  }

  public static ApiError unavailable(String message, int retryAfterSeconds) {
    return new ApiError(503, message, null, null, retryAfterSeconds);
  }

  /** The same error, saying which item of a batch it is about. */
  public ApiError atIndex(int i) {
    return new ApiError(status, getMessage(), field, i, retryAfterSeconds);
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }

  public Integer index() {
    return index;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", getMessage());
    if (field != null) {
      json.put("field", field);
    }
    if (index != null) {
      json.put("index", index);
    }
    return json;
  }

  /** Ends the response with this error, unless it has already ended. */
  public void send(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (retryAfterSeconds != null) {
      ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(toJson().encode());
  }
}
