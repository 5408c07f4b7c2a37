package io.nudge.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.nudge.server.config.ConfigException;
import io.nudge.server.config.NudgeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo shop is off unless NUDGE_DEMO=on, and when on serves its pages with a write key filled in. */
final class DemoRoutesTest {
  private NudgeServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestSupport.Client start(String... pairs) {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    server = TestSupport.startServer(env, new ManualClock());
    return TestSupport.client(server);
  }

  @Test
  void demo_offByDefault_answers404LikeAnyUnknownRoute() {
    TestSupport.Client client = start();

    HttpResponse<String> page = client.get("/demo/", null);

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).isEqualTo("{\"error\":\"no route for GET /demo/\"}");
    assertThat(client.get("/demo/api/decisions?anonymousId=a&token=b", null).statusCode()).isEqualTo(404);
  }

  @Test
  void demo_off_isTheDefaultSetting() {
    assertThat(NudgeConfig.from(TestSupport.env(TestSupport.tempDir())).demo()).isFalse();
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_DEMO", "ON");
    assertThat(NudgeConfig.from(env).demo()).isTrue();
  }

  @Test
  void demo_badValue_stopsStartUpNamingTheValueAndTheSetting() {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_DEMO", "yes");

    assertThatThrownBy(() -> NudgeConfig.from(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage("NUDGE_DEMO is \"yes\", must be on or off");
  }

  @Test
  void demo_on_servesTheShopWithTheWriteKeyFilledIn() {
    TestSupport.Client client = start("NUDGE_DEMO", "on");

    HttpResponse<String> shop = client.get("/demo/", null);

    assertThat(shop.statusCode()).isEqualTo(200);
    assertThat(shop.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(shop.body())
        .contains("<script src=\"/sdk/nudge.js\" data-write-key=\"" + TestSupport.WRITE_KEY + "\" async></script>")
        .contains("data-page=\"shop\"")
        .doesNotContain("{{writeKey}}");
  }

  @Test
  void demo_on_servesEveryPageAndAsset() {
    TestSupport.Client client = start("NUDGE_DEMO", "on");

    Map<String, String> pages = Map.of(
        "/demo/cart", "data-page=\"cart\"",
        "/demo/checkout", "data-page=\"checkout\"",
        "/demo/help", "id=\"help-form\"",
        "/demo/search?q=cancel", "data-page=\"search\"",
        "/demo/products/brass-lamp", "data-page=\"product\"");
    pages.forEach((path, mark) -> {
      HttpResponse<String> page = client.get(path, null);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).as(path).hasValue("text/html; charset=utf-8");
      assertThat(page.body()).as(path).contains(mark).contains("data-write-key=\"wk_test\"");
    });
    assertThat(client.get("/demo/shop.css", null).headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");
    HttpResponse<String> script = client.get("/demo/shop.js", null);
    assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("'Products Searched'");
    assertThat(client.get("/demo/products.js", null).body()).contains("brass-lamp");
  }

  @Test
  void demo_withoutTrailingSlash_redirectsToTheShop() {
    TestSupport.Client client = start("NUDGE_DEMO", "on");

    HttpResponse<String> r = client.get("/demo", null);

    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValue("/demo/");
  }

  @Test
  void demo_unknownPath_answers404NamingThePath() {
    TestSupport.Client client = start("NUDGE_DEMO", "on");

    for (String path : new String[] {"/demo/nope", "/demo/products/", "/demo/products/a/b",
        "/demo/index.html", "/demo/products/BRASS"}) {
      HttpResponse<String> r = client.get(path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
    }
    assertThat(client.get("/demo/nope", null).body()).isEqualTo("{\"error\":\"no demo page at /demo/nope\"}");
  }

  @Test
  void demo_writeKeyWithQuotes_cannotBreakOutOfItsAttribute() {
    TestSupport.Client client = start("NUDGE_DEMO", "on", "NUDGE_WRITE_KEYS", "wk_\"><script>x</script>");

    String body = client.get("/demo/", null).body();

    assertThat(body).contains("data-write-key=\"wk_&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"")
        .doesNotContain("<script>x</script>");
  }

  @Test
  void decisions_needTheVisitorsOwnToken() throws IOException {
    TestSupport.Client client = start("NUDGE_DEMO", "on");
    String other = tokenFor(client, "someone-else");

    HttpResponse<String> none = client.get("/demo/api/decisions?anonymousId=v-1", null);
    HttpResponse<String> wrong = client.get("/demo/api/decisions?anonymousId=v-1&token=" + other, null);
    HttpResponse<String> noId = client.get("/demo/api/decisions?token=" + other, null);

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).isEqualTo("{\"error\":\"missing visitor token: get one from POST /v1/visitor/token "
        + "and pass it as ?token=\"}");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).isEqualTo("{\"error\":\"visitor token does not match anonymousId\"}");
    assertThat(noId.statusCode()).isEqualTo(400);
    assertThat(noId.body()).isEqualTo("{\"error\":\"anonymousId query parameter is required\",\"field\":\"anonymousId\"}");
    assertThat(rawGet("/demo/api/decisions?anonymousId=%zz&token=" + other))
        .startsWith("HTTP/1.1 400 ")
        .endsWith("{\"error\":\"the request's path or query is malformed\"}");
  }

  @Test
  void decisions_unknownVisitor_hasNone() {
    TestSupport.Client client = start("NUDGE_DEMO", "on");

    HttpResponse<String> r = client.get("/demo/api/decisions?anonymousId=new-1&token=" + tokenFor(client, "new-1"),
        null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("anonymousId", "new-1")
        .put("decisions", new JsonArray()));
  }

  @Test
  void decisions_showSentAndSuppressedWithTheirReasonAndContext() throws InterruptedException {
    TestSupport.Client client = start("NUDGE_DEMO", "on");
    // allowed callbacks but not chats: the callback is sent, a later chat would be suppressed
    assertThat(client.postSegment("/v1/batch", TestSupport.WRITE_KEY, """
        {"batch": [
          {"type": "page", "anonymousId": "v-2", "properties": {"path": "/account"},
           "context": {"consent": {"categoryPreferences": {"callback": true}}}},
          {"type": "track", "anonymousId": "v-2", "event": "Products Searched", "properties": {"query": "cancel"}}
        ]}""").statusCode()).isEqualTo(200);
    String path = "/demo/api/decisions?anonymousId=v-2&token=" + tokenFor(client, "v-2");

    JsonArray decisions = awaitDecisions(client, path);

    JsonObject d = decisions.getJsonObject(0);
    assertThat(d.getString("rule")).isEqualTo("cancel-intent");
    assertThat(d.getString("type")).isEqualTo("callback");
    assertThat(d.getString("outcome")).isEqualTo("sent");
    assertThat(d.getString("reason")).isEqualTo("sent");
    assertThat(d.getJsonObject("fields").getString("queue")).isEqualTo("retention");
    JsonObject context = d.getJsonObject("context");
    assertThat(context.getString("reason")).isEqualTo("You looked for how to cancel");
    assertThat(context.getJsonArray("searches")).containsExactly("cancel");
    assertThat(context.getString("currentPage")).isEqualTo("/account");
    assertThat(context.containsKey("matched")).isFalse();
  }

  private static JsonArray awaitDecisions(TestSupport.Client client, String path) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = client.get(path, null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
      JsonArray decisions = new JsonObject(r.body()).getJsonArray("decisions");
      if (!decisions.isEmpty()) {
        return decisions;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no decision appeared at " + path);
  }

  /** A request java.net.http refuses to send: a query with a broken percent-escape. */
  private String rawGet(String target) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String tokenFor(TestSupport.Client client, String anonymousId) {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(client.uri("/v1/visitor/token"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("writeKey", TestSupport.WRITE_KEY)
            .put("anonymousId", anonymousId).encode())));
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getString("token");
  }
}
