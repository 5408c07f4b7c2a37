package io.nudge.server.delivery;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open server-sent event response. {@link #send} may be called from any thread: the write hops onto
 * the connection's own context, and frames sent from one thread arrive in the order they were sent.
 */
final class SseClient {

  static final String KEEP_ALIVE = comment("keep-alive");

  private static final Logger LOG = LoggerFactory.getLogger(SseClient.class);
  /**
   * Bytes a client may fall behind by before it is disconnected. A reader that slow would otherwise hold
   * every frame in server memory; disconnected, it reconnects and (on the agent stream) resumes by id.
   */
  private static final int MAX_BUFFERED_BYTES = 1 << 20;

  private final HttpServerResponse response;
  private final Context context;
  private final String description;
  private volatile boolean closed;

  private SseClient(HttpServerResponse response, Context context, String description) {
    this.response = response;
    this.context = context;
    this.description = description;
  }

  /**
   * Starts the event stream on this request: status 200 and the SSE headers, sent at once so the client
   * knows it is connected before the first event.
   *
   * @param onClose runs once when the client goes away
   */
  static SseClient open(RoutingContext ctx, String description, Runnable onClose) {
    HttpServerResponse response = ctx.response();
    SseClient client = new SseClient(response, Vertx.currentContext(), description);
    response.closeHandler(v -> {
      client.closed = true;
      onClose.run();
    });
    response.setStatusCode(200)
        .setChunked(true)
        .setWriteQueueMaxSize(MAX_BUFFERED_BYTES)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no") // nginx would otherwise hold events back
        .writeHead();
    return client;
  }

  /** An {@code event} frame; {@code data} must be one line, as compact JSON is. */
  static String event(String id, String event, String data) {
    return "id: " + oneLine(id) + "\nevent: " + event + "\ndata: " + data + "\n\n";
  }

  /** A comment frame, which EventSource ignores and proxies see as traffic. */
  static String comment(String text) {
    return ": " + oneLine(text) + "\n\n";
  }

  boolean isClosed() {
    return closed;
  }

  void send(String frame) {
    if (!closed) {
      context.runOnContext(v -> write(frame));
    }
  }

  /** Ends the stream, for a server shutting down. */
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
      LOG.warn("disconnecting {}: over {} bytes behind", description, MAX_BUFFERED_BYTES);
      closed = true;
      response.reset();
      return;
    }
    response.write(frame);
  }

  /** A line break inside an id or comment would end the field early and let the rest forge a field. */
  private static String oneLine(String s) {
    return s.replace('\r', ' ').replace('\n', ' ');
  }
}
