package io.nudge.server.http;

import io.nudge.engine.InvalidInputException;
import io.nudge.engine.OverloadedException;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns whatever a handler threw into the one JSON error shape; unexpected failures become a bare 500. */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {}

  /** The router's failure handler. */
  public static void handle(RoutingContext ctx) {
    send(ctx, ctx.failure());
  }

  /** Answers with the error {@code failure} stands for; completion wrappers are looked through. */
  public static void send(RoutingContext ctx, Throwable failure) {
    while ((failure instanceof CompletionException || failure instanceof ExecutionException)
        && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof ApiError e) {
      e.send(ctx);
    } else if (failure instanceof OverloadedException e) {
      ApiError.tooManyRequests(e.getMessage(), e.retryAfterSeconds()).send(ctx);
    } else if (failure instanceof InvalidInputException e) {
      ApiError.badRequest(e.getMessage()).send(ctx);
    } else if (failure == null && ctx.statusCode() == 413) {
      ApiError.tooLarge("request body is over the size limit of this endpoint").send(ctx);
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      ApiError.badRequest("bad request").send(ctx);
    } else {
      // the path and the exception only: bodies, headers and ids may hold keys or personal data
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      if (!ctx.response().ended() && !ctx.response().closed()) {
        ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
            .end("{\"error\":\"internal error\"}");
      }
    }
  }
}
