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

  /**
   * The path with the route's parameters named instead of their values ({@code /v1/customers/:id}), so
   * that no id from the request is logged; when no route with named parameters matched, the path with
   * every segment after the second one replaced by {@code *} ({@code /v1/customers/*}).
   */
  static String route(RoutingContext ctx) {
    io.vertx.ext.web.Route route = ctx.currentRoute();
    String declared = route == null ? null : route.getPath();
    if (declared != null && declared.contains(":")) {
      return declared;
    }
    String[] parts = ctx.request().path().split("/", -1);
    // a route with named parameters matched (the failure handler's own route has none): name them
    java.util.Map<String, String> params = ctx.pathParams();
    if (!params.isEmpty() && !params.containsKey("*")) {
      java.util.Map<String, String> names = new java.util.HashMap<>();
      params.forEach((name, value) -> names.put(value, ":" + name));
      String[] named = parts.clone();
      int replaced = 0;
      for (int i = 1; i < named.length; i++) {
        String name = names.get(decoded(named[i]));
        if (name != null) {
          named[i] = name;
          replaced++;
        }
      }
      if (replaced >= params.size()) {
        return String.join("/", named);
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < parts.length; i++) {
      out.append('/').append(i <= 2 ? parts[i] : "*");
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  private static String decoded(String segment) {
    try {
      return java.net.URLDecoder.decode(segment, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }

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
      // the route and the exception only: bodies, headers and ids (a customer's, in the path) may hold
      // keys or personal data
      LOG.error("{} {} failed", ctx.request().method(), route(ctx), failure);
      if (!ctx.response().ended() && !ctx.response().closed()) {
        ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
            .end("{\"error\":\"internal error\"}");
      }
    }
  }
}
