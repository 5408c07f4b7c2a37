package io.nudge.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's endpoints on a real server: the decision stream, performance, journey paths, the pages. */
final class DashboardEndpointsTest {
  private static final String RANGE = "from=2026-11-23T09:00:00Z&to=2026-11-23T12:00:00Z";
  private static NudgeServer server;
  private static TestSupport.Client http;
  private static ManualClock clock;

  @BeforeAll
  static void start() {
    clock = new ManualClock();
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), clock);
    http = TestSupport.client(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A visitor who allowed callbacks views a page, searches how to cancel, and gets cancel-intent's callback. */
  static void cancelIntent(String visitor, String path) {
    HttpResponse<String> r = http.postSegment("/v1/batch", TestSupport.WRITE_KEY, """
        {"batch": [
          {"type": "page", "anonymousId": "%s", "properties": {"path": "%s"},
           "context": {"consent": {"categoryPreferences": {"callback": true}}}},
          {"type": "track", "anonymousId": "%s", "event": "Products Searched",
           "properties": {"query": "how to cancel my plan"}}
        ]}""".formatted(visitor, path, visitor));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  static JsonArray decisionsOf(String visitor, int atLeast) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> r = http.get("/v1/customers/" + visitor + "/decisions", TestSupport.ADMIN);
      if (r.statusCode() == 200) {
        JsonArray list = new JsonObject(r.body()).getJsonArray("decisions");
        if (list.size() >= atLeast) {
          return list;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no decision about " + visitor);
  }

  @Test
  void decisionStream_sendsEachDecisionWithItsCustomerAndExplanation_andFigures() throws Exception {
    BlockingQueue<String> lines = http.openStream(DecisionStream.PATH, TestSupport.ADMIN);

    cancelIntent("stream-visitor", "/account");

    JsonObject decision = null;
    boolean figures = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((decision == null || !figures) && System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("data: ") && line.contains("\"stream-visitor\"")) {
        decision = new JsonObject(line.substring(6));
      }
      figures |= line != null && line.startsWith("data: ") && line.contains("\"eventsPerSecond\"");
    }
    assertThat(decision).isNotNull();
    assertThat(decision.getString("rule")).isEqualTo("cancel-intent");
    assertThat(decision.getString("type")).isEqualTo("callback");
    assertThat(decision.getString("outcome")).isEqualTo("sent");
    assertThat(decision.getString("reason")).isEqualTo("sent");
    assertThat(decision.getJsonObject("explanation").getJsonObject("consent").getString("callback"))
        .isEqualTo("granted");
    assertThat(figures).isTrue();
  }

  @Test
  void decisionStream_integrationToken_returns403() {
    HttpResponse<String> r = http.get(DecisionStream.PATH, TestSupport.INTEGRATION);

    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void performance_countsOfferedAcceptedAndConvertedPerRuleAndType() throws Exception {
    cancelIntent("perf-visitor", "/account");
    String id = decisionsOf("perf-visitor", 1).getJsonObject(0).getString("engagementId");
    for (String outcome : List.of("accepted", "converted")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
              + "/v1/engagements/" + id + "/outcome"))
          .header("Authorization", "Bearer " + TestSupport.INTEGRATION)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"outcome\": \"" + outcome + "\"}")));
      assertThat(r.statusCode()).isEqualTo(200);
    }

    HttpResponse<String> r = http.get(PerformanceRoutes.PATH + "?" + RANGE + "&bucket=1h", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("bucket")).isEqualTo("1h");
    assertThat(body.getJsonArray("buckets")).containsExactly("2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z",
        "2026-11-23T11:00:00Z");
    JsonObject rule = body.getJsonObject("byRule").getJsonObject("cancel-intent");
    assertThat(rule.getJsonArray("offered").getLong(0)).isZero();
    assertThat(rule.getJsonArray("offered").getLong(1)).isGreaterThanOrEqualTo(1);
    assertThat(rule.getJsonArray("accepted").getLong(1)).isEqualTo(1);
    assertThat(rule.getJsonArray("converted").getLong(1)).isEqualTo(1);
    assertThat(body.getJsonObject("byType").getJsonObject("callback").getJsonObject("total").getLong("accepted"))
        .isEqualTo(1);
    assertThat(body.getString("conversionWindow")).isEqualTo("30m");
  }

  @Test
  void performance_badBucket_returns400NamingIt() {
    HttpResponse<String> r = http.get(PerformanceRoutes.PATH + "?bucket=hourly", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"bucket is \\\"hourly\\\", must be a number of minutes, hours "
        + "or days such as 15m, 1h or 1d\",\"field\":\"bucket\"}");
  }

  @Test
  void performance_tooManyBuckets_returns400WithTheLimit() {
    HttpResponse<String> r = http.get(PerformanceRoutes.PATH
        + "?from=2026-01-01T00:00:00Z&to=2026-11-23T00:00:00Z&bucket=1m", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"from 2026-01-01T00:00:00Z to 2026-11-23T00:00:00Z in buckets "
        + "of 1m is 469440 buckets, over the 1000 limit: widen the bucket or narrow the range\"}");
  }

  @Test
  void performance_fromAfterTo_returns400() {
    HttpResponse<String> r = http.get(PerformanceRoutes.PATH + "?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z",
        TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"from 2026-11-24T00:00:00Z is not before to "
        + "2026-11-23T00:00:00Z\",\"field\":\"from\"}");
  }

  @Test
  void performance_withoutToken_returns401() {
    assertThat(http.get(PerformanceRoutes.PATH, null).statusCode()).isEqualTo(401);
    assertThat(http.get(JourneyPathRoutes.PATH, null).statusCode()).isEqualTo(401);
  }

  @Test
  void journeyPaths_normalisePathsMarkEngagementsAndExits() throws Exception {
    cancelIntent("path-a", "/account/88123?tab=plan");
    cancelIntent("path-b", "/account/99042/");
    decisionsOf("path-a", 1);
    decisionsOf("path-b", 1);

    HttpResponse<String> r = http.get(JourneyPathRoutes.PATH + "?" + RANGE + "&steps=4&top=50", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getInteger("maxEvents")).isEqualTo(200_000);
    List<String> paths = new ArrayList<>();
    JsonObject top = null;
    for (Object p : body.getJsonArray("paths")) {
      JsonObject path = (JsonObject) p;
      paths.add(String.join(" > ", path.getJsonArray("steps").stream().map(String::valueOf).toList()));
      if (path.getJsonArray("steps").getString(0).equals("/account/:id")) {
        top = path;
      }
    }
    assertThat(paths).contains("/account/:id > engagement callback > exit");
    assertThat(top.getInteger("visits")).isEqualTo(2);
    assertThat(body.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("name")).toList())
        .contains("1 /account/:id", "2 engagement callback", "3 exit");
    assertThat(body.getJsonArray("links").stream().map(l -> (JsonObject) l)
        .filter(l -> l.getString("source").equals("1 /account/:id")).findFirst().orElseThrow()
        .getInteger("value")).isEqualTo(2);
  }

  @Test
  void journeyPaths_stepsOutOfBounds_returns400() {
    HttpResponse<String> r = http.get(JourneyPathRoutes.PATH + "?steps=11", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(
        "{\"error\":\"steps is \\\"11\\\", must be a whole number from 2 to 10\",\"field\":\"steps\"}");
  }

  @Test
  void dashboard_servesPagesAndEchartsWithAStrictContentSecurityPolicy() {
    HttpResponse<String> page = http.get("/admin/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .contains(DashboardRoutes.CONTENT_SECURITY_POLICY);
    assertThat(page.body()).contains("<script src=\"echarts.min.js\" defer></script>");

    HttpResponse<String> echarts = http.get("/admin/echarts.min.js", null);
    assertThat(echarts.statusCode()).isEqualTo(200);
    assertThat(echarts.body()).contains("sankey");

    assertThat(http.get("/admin/secrets.properties", null).statusCode()).isEqualTo(404);
    assertThat(http.get("/admin", null).statusCode()).isIn(200, 302);
  }
}
