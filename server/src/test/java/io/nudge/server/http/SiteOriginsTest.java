package io.nudge.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class SiteOriginsTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String SHOP = "https://shop.example";

  private Vertx vertx;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A router as Nudge mounts it: the handler on {@code /v1/*}, then routes that answer "ok". */
  private void start(Set<String> allowed) throws Exception {
    SiteOrigins origins = SiteOrigins.create(allowed);
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route("/v1/*").handler(origins);
    router.route().handler(ctx -> ctx.response().end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  private HttpResponse<String> preflight(String path, String origin) throws Exception {
    return send(request(path, origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,authorization")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
  }

  private HttpResponse<String> post(String path, String origin) throws Exception {
    return send(request(path, origin).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  private HttpResponse<String> get(String path, String origin) throws Exception {
    return send(request(path, origin).GET());
  }

  private HttpRequest.Builder request(String path, String origin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    return origin == null ? b : b.header("Origin", origin);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> corsHeaders(HttpResponse<?> r) {
    return r.headers().map().keySet().stream().map(h -> h.toLowerCase(Locale.ROOT))
        .filter(h -> h.startsWith("access-control-")).sorted().toList();
  }

  @Test
  void preflight_fromAnAllowedOrigin_isAnswered204WithTheOriginEchoed() throws Exception {
    start(Set.of(SHOP, "http://localhost:3000"));

    HttpResponse<String> r = preflight("/v1/batch", SHOP);

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly(SHOP);
    assertThat(r.headers().allValues("Access-Control-Allow-Methods")).containsExactly("GET, POST, OPTIONS");
    assertThat(r.headers().allValues("Access-Control-Allow-Headers"))
        .containsExactly("Content-Type, Authorization, Content-Encoding");
    assertThat(r.headers().allValues("Access-Control-Max-Age")).containsExactly("600");
    assertThat(r.headers().allValues("Vary")).containsExactly("Origin");
    assertThat(corsHeaders(r)).containsExactly("access-control-allow-headers", "access-control-allow-methods",
        "access-control-allow-origin", "access-control-max-age");
  }

  @Test
  void preflight_fromAnotherOrigin_returns403JsonWithoutCorsHeaders() throws Exception {
    start(Set.of(SHOP));

    HttpResponse<String> r = preflight("/v1/visitor/token", "https://evil.example");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body())
        .isEqualTo("{\"error\":\"origin https://evil.example is not allowed (NUDGE_ALLOWED_ORIGINS)\"}");
    assertThat(corsHeaders(r)).isEmpty();
    assertThat(r.headers().allValues("Vary")).containsExactly("Origin");
  }

  @Test
  void request_fromAnAllowedOrigin_reachesTheRoute_withTheOriginEchoedAndRetryAfterExposed() throws Exception {
    start(Set.of(SHOP));

    HttpResponse<String> r = post("/v1/visitor/token", SHOP);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly(SHOP);
    assertThat(r.headers().allValues("Access-Control-Expose-Headers")).containsExactly("Retry-After");
    assertThat(r.headers().allValues("Vary")).containsExactly("Origin");
    assertThat(corsHeaders(r)).containsExactly("access-control-allow-origin", "access-control-expose-headers");
    assertThat(get("/v1/visitor/stream?anonymousId=a&token=t", SHOP).headers()
        .allValues("Access-Control-Allow-Origin")).containsExactly(SHOP);
  }

  @Test
  void request_fromAnotherOriginOrNone_reachesTheRouteWithoutCorsHeaders() throws Exception {
    start(Set.of(SHOP));

    HttpResponse<String> other = post("/v1/t", "https://evil.example");
    HttpResponse<String> none = post("/v1/t", null);

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("ok");
    assertThat(corsHeaders(other)).isEmpty();
    assertThat(other.headers().allValues("Vary")).containsExactly("Origin");
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(corsHeaders(none)).isEmpty();
    assertThat(none.headers().allValues("Vary")).containsExactly("Origin");
  }

  @Test
  void adminAndIntegrationRoutes_neverGetCorsHeaders_evenForAnAllowedOrigin() throws Exception {
    start(Set.of("*"));

    for (String path : List.of("/v1/customers/u1/consent", "/v1/engagements/stream", "/v1/batches", "/v2/batch")) {
      HttpResponse<String> pre = preflight(path, SHOP);
      HttpResponse<String> get = get(path, SHOP);

      assertThat(pre.body()).as(path).isEqualTo("ok");
      assertThat(corsHeaders(pre)).as(path).isEmpty();
      assertThat(corsHeaders(get)).as(path).isEmpty();
      assertThat(get.headers().allValues("Vary")).as(path).isEmpty();
    }
  }

  @Test
  void everyPageRoute_andItsTrailingSlashForm_getsCors() throws Exception {
    start(Set.of(SHOP));

    for (String path : List.of("/v1/batch/", "/v1/b", "/v1/track", "/v1/t", "/v1/page", "/v1/p", "/v1/screen",
        "/v1/s", "/v1/identify", "/v1/i", "/v1/alias", "/v1/a", "/v1/group", "/v1/g", "/v1/visitor/token",
        "/v1/visitor/stream")) {
      HttpResponse<String> r = preflight(path, SHOP);

      assertThat(r.statusCode()).as(path).isEqualTo(204);
      assertThat(r.headers().allValues("Access-Control-Allow-Origin")).as(path).containsExactly(SHOP);
    }
  }

  @Test
  void noOriginsConfigured_allowsNoCrossOriginPage() throws Exception {
    start(Set.of());

    HttpResponse<String> r = preflight("/v1/batch", "http://localhost:8080");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body())
        .isEqualTo("{\"error\":\"origin http://localhost:8080 is not allowed (NUDGE_ALLOWED_ORIGINS)\"}");
  }

  @Test
  void star_allowsAnyOrigin_echoingIt() throws Exception {
    start(Set.of("*"));

    HttpResponse<String> r = preflight("/v1/batch", "https://anywhere.example");

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().allValues("Access-Control-Allow-Origin")).containsExactly("https://anywhere.example");
  }

  @Test
  void configuredOrigins_matchAsBrowsersWriteThem_andNothingElse() {
    SiteOrigins origins = SiteOrigins.create(List.of(" HTTPS://Shop.Example:443 ", "http://localhost:3000"));

    assertThat(origins.allows("https://shop.example")).isTrue();
    assertThat(origins.allows("http://localhost:3000")).isTrue();
    assertThat(origins.allows("http://shop.example")).isFalse();
    assertThat(origins.allows("https://shop.example:8443")).isFalse();
    assertThat(origins.allows("https://shop.example.evil")).isFalse();
    assertThat(origins.allows("https://evil.shop.example")).isFalse();
    assertThat(origins.allows("http://localhost:3001")).isFalse();
    assertThat(origins.allows("null")).isFalse();
    assertThat(origins.allows(null)).isFalse();
  }

  @Test
  void entriesThatAreNoOrigin_areRefusedWithTheSetting() {
    for (String bad : List.of("https://shop.example/", "https://shop.example/app", "shop.example",
        "https://*.shop.example", "ftp://shop.example", "https://user@shop.example")) {
      assertThatThrownBy(() -> SiteOrigins.create(List.of(SHOP, bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("NUDGE_ALLOWED_ORIGINS has \"" + bad + "\", not an origin such as https://shop.example or "
              + "http://localhost:3000 (scheme, host and port only, no path or trailing /)");
    }
  }
}
