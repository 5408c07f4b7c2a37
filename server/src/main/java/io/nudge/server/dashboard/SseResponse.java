package io.nudge.server.dashboard;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open server-sent event response of the dashboard. {@link #send} may be called from any thread;
 * the write hops onto the connection's context. A reader more than {@link #MAX_BUFFERED_BYTES} behind
 * is disconnected rather than buffered without bound; the dashboard reconnects.
 */
final class SseResponse {
  static final int MAX_BUFFERED_BYTES = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(SseResponse.class);

  private final HttpServerResponse response;
  private final Context context;
  private volatile boolean closed;

  private SseResponse(HttpServerResponse response, Context context) {
    this.response = response;
    this.context = context;
  }

  /** Sends status 200 and the event-stream headers; {@code onClose} runs once when the client goes. */
  static SseResponse open(RoutingContext ctx, Runnable onClose) {
    HttpServerResponse response = ctx.response();
    SseResponse sse = new SseResponse(response, Vertx.currentContext());
    response.closeHandler(v -> {
      sse.closed = true;
      onClose.run();
    });
    response.setStatusCode(200)
        .setChunked(true)
        .setWriteQueueMaxSize(MAX_BUFFERED_BYTES)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no")
        .writeHead();
    return sse;
  }

  /** An event frame; {@code data} must be one line, as compact JSON is. */
  static String event(String event, String data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
  }

  boolean isClosed() {
    return closed;
  }

  void send(String frame) {
    if (!closed) {
      context.runOnContext(v -> write(frame));
    }
  }

  void end() {
    context.runOnContext(v -> {
      if (!closed && !response.ended()) {
        response.end();
      }
    });
  }

  private void write(String frame) {
    if (closed || response.ended() || response.closed()) {
      return;
    }
    if (response.writeQueueFull()) {
      LOG.warn("disconnecting a decision stream client: over {} bytes behind", MAX_BUFFERED_BYTES);
      closed = true;
      response.reset();
      return;
    }
    response.write(frame);
  }
}
