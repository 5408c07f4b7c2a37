package io.nudge.server.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's webhook receiver, as a real HTTP server in the test's process: records every request
 * and answers from a script (status, {@code Retry-After}, a delay, or no answer at all), then 200.
 */
final class WebhookReceiver implements AutoCloseable {

  record Received(String method, String path, String contentType, String id, String timestamp, String signature,
      String body, long atNanos) {}

  record Reply(int status, String retryAfter, long delayMillis, boolean hang) {
    static Reply status(int status) {
      return new Reply(status, null, 0, false);
    }

    static Reply retryAfter(int status, String seconds) {
      return new Reply(status, seconds, 0, false);
    }

    static Reply okAfter(long delayMillis) {
      return new Reply(200, null, delayMillis, false);
    }

    static Reply noAnswer() {
      return new Reply(0, null, 0, true);
    }
  }

  static final String PATH = "/hooks/nudge";

  private final Vertx vertx;
  private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private HttpServer server;

  private WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Listens on {@code port}, 0 for any. */
  static WebhookReceiver start(Vertx vertx, int port) {
    WebhookReceiver receiver = new WebhookReceiver(vertx);
    receiver.server = Await.result(vertx.createHttpServer().requestHandler(receiver::handle).listen(port, "127.0.0.1"));
    return receiver;
  }

  /** The next requests get these replies, in order; after them, 200. */
  WebhookReceiver then(Reply... replies) {
    script.addAll(java.util.List.of(replies));
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + PATH;
  }

  Received next(Duration timeout) {
    try {
      Received r = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (r == null) {
        throw new AssertionError("the receiver got no webhook within " + timeout);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  int count() {
    return count.get();
  }

  int maxConcurrent() {
    return maxOpen.get();
  }

  @Override
  public void close() {
    Await.result(server.close());
  }

  private void handle(HttpServerRequest request) {
    maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    long at = System.nanoTime();
    request.body().onSuccess(body -> {
      received.add(new Received(request.method().name(), request.path(), request.getHeader("content-type"),
          request.getHeader("webhook-id"), request.getHeader("webhook-timestamp"),
          request.getHeader("webhook-signature"), body.toString(), at));
      count.incrementAndGet();
      Reply reply = script.poll();
      if (reply == null) {
        reply = Reply.status(200);
      }
      if (reply.hang()) {
        return; // holds the connection until the sender gives up
      }
      Reply answer = reply;
      Runnable respond = () -> {
        open.decrementAndGet();
        if (answer.retryAfter() != null) {
          request.response().putHeader("Retry-After", answer.retryAfter());
        }
        request.response().setStatusCode(answer.status()).end();
      };
      if (answer.delayMillis() > 0) {
        vertx.setTimer(answer.delayMillis(), t -> respond.run());
      } else {
        respond.run();
      }
    });
  }
}
