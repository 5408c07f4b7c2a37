package io.nudge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare-ingest baseline: a Vert.x server that reads {@code POST /v1/batch}, parses the body with
 * Jackson as Nudge does, and answers 200; nothing else. What it sustains is the most any ingest on
 * this machine and stack could, the ceiling Nudge's end-to-end figure is compared with. It runs as
 * its own process, one event loop per core like Nudge, on {@code PORT} (0: any free port).
 */
public final class BareIngestServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OK = "{\"success\":true}";

  private BareIngestServer() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "0"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Runtime.getRuntime().availableProcessors()));
    LongAdder events = new LongAdder();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (!req.path().equals("/v1/batch")) {
        req.response().setStatusCode(404).end();
        return;
      }
      try {
        JsonNode batch = JSON.readTree(body.getBytes()).get("batch");
        if (batch == null || !batch.isArray()) {
          req.response().setStatusCode(400).end("{\"error\":\"batch must be an array\"}");
          return;
        }
        events.add(batch.size());
        req.response().putHeader("Content-Type", "application/json").end(OK);
      } catch (java.io.IOException e) {
        req.response().setStatusCode(400).end("{\"error\":\"the body is not valid JSON\"}");
      }
    })).listen(port, "127.0.0.1").await(30, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("bare ingest parsed " + events.sum() + " events");
      vertx.close();
    }));
    System.out.printf("bare ingest is ready on http://127.0.0.1:%d in %d ms%n", server.actualPort(),
        (System.nanoTime() - started) / 1_000_000);
  }
}
