package io.nudge.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An unexpected failure is logged by its route, so a customer's id in the path never reaches the log. */
final class FailuresTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String logOf(Router router, String path) throws Exception {
    router.route().failureHandler(Failures::handle);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("{\"error\":\"internal error\"}");
    } finally {
      System.setErr(err);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void unexpectedFailure_onACustomerRoute_logsTheRouteNotTheCustomersId() throws Exception {
    Router router = Router.router(vertx);
    router.get("/v1/customers/:id/export").handler(ctx -> {
      throw new IllegalStateException("store down");
    });

    String log = logOf(router, "/v1/customers/ann-4c1e9/export");

    assertThat(log).contains("GET /v1/customers/:id/export failed").contains("store down")
        .doesNotContain("ann-4c1e9");
  }

  @Test
  void unexpectedFailure_outsideARouteWithParameters_logsThePathCutAfterItsSecondPart() throws Exception {
    Router router = Router.router(vertx);
    router.get("/v1/*").handler(ctx -> {
      throw new IllegalStateException("store down");
    });

    String log = logOf(router, "/v1/customers/ann-4c1e9/consent");

    assertThat(log).contains("GET /v1/customers/*/* failed").doesNotContain("ann-4c1e9");
  }
}
