package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.server.ManualClock;
import io.nudge.server.TestSupport;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.http.RateLimits;
import io.nudge.server.http.SiteOrigins;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class OutcomeRoutesTest {
  private static final Credentials CREDENTIALS =
      new Credentials(Set.of(TestSupport.WRITE_KEY), TestSupport.INTEGRATION, TestSupport.ADMIN);
  private static final String JSON = "application/json";
  private static final String INTEGRATION = "Bearer " + TestSupport.INTEGRATION;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock(); // 2026-11-23T10:00:00Z, never moved here
  private final VisitorTokens tokens = VisitorTokens.create(VisitorTokens.generateSecret());
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Vertx vertx;
  private NudgeEngine engine;
  private URI base;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    engine = NudgeEngine.start(EngineSettings.defaults().withShards(2).withClock(clock)
        .withPolicy(io.nudge.engine.policy.ContactPolicy.defaults().withArbitrationWindow(java.time.Duration.ZERO)),
        RulePack.load(Path.of(System.getProperty("nudge.rules.dir", "../rules"))), d -> { });
    Router router = Router.router(vertx);
    // in front, as in NudgeServer: the routes must read their bodies behind other /v1 handlers
    router.route("/v1/*").handler(SiteOrigins.create(List.of()));
    router.route("/v1/*").handler(RateLimits.create(CREDENTIALS, 0, 0, List.of()));
    OutcomeRoutes.create(engine, CREDENTIALS, tokens, clock).mount(router);
    router.route().failureHandler(Failures::handle);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + server.actualPort());
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
  }

  // --- with the integration token

  @Test
  void outcome_shownThenAccepted_returns200Each() throws Exception {
    String id = engagement(newId("visitor"), true);

    HttpResponse<String> shown = post(id, "{\"outcome\": \"shown\"}", INTEGRATION);
    HttpResponse<String> accepted = post(id, "{\"outcome\": \"accepted\", \"at\": \"2026-11-23T10:00:05Z\"}",
        INTEGRATION);

    assertOk(shown, id, "shown");
    assertOk(accepted, id, "accepted");
  }

  @Test
  void outcome_acceptedTwice_returns200AndChangesNothing() throws Exception {
    String id = engagement(newId("visitor"), true);
    assertOk(post(id, "{\"outcome\": \"accepted\"}", INTEGRATION), id, "accepted");

    assertOk(post(id, "{\"outcome\": \"accepted\"}", INTEGRATION), id, "accepted");
    // the outcome is still "accepted", which "converted" may follow
    assertOk(post(id, "{\"outcome\": \"converted\"}", INTEGRATION), id, "converted");
  }

  @Test
  void outcome_declinedAfterAccepted_returns409() throws Exception {
    String id = engagement(newId("visitor"), true);
    assertOk(post(id, "{\"outcome\": \"accepted\"}", INTEGRATION), id, "accepted");

    HttpResponse<String> r = post(id, "{\"outcome\": \"declined\"}", INTEGRATION);

    assertError(r, 409, "outcome \"declined\" cannot follow \"accepted\" for engagement " + id, null);
  }

  @Test
  void outcome_unknownEngagement_returns404() throws Exception {
    HttpResponse<String> r = post("eng_0000000000000000000000000000", "{\"outcome\": \"shown\"}", INTEGRATION);

    assertError(r, 404, "no engagement has id \"eng_0000000000000000000000000000\"", null);
  }

  @Test
  void outcome_unknownOutcome_returns400() throws Exception {
    String id = engagement(newId("visitor"), true);

    HttpResponse<String> r = post(id, "{\"outcome\": \"clicked\"}", INTEGRATION);

    assertError(r, 400, "outcome \"clicked\" is not one of shown, accepted, declined, ignored, expired, converted",
        "outcome");
  }

  // --- with the visitor's token

  @Test
  void outcome_visitorsOwnToken_returns200() throws Exception {
    String visitor = newId("visitor");
    String id = engagement(visitor, true);

    HttpResponse<String> r = post(id, visitorBody(visitor, tokens.tokenFor(visitor), "shown"), null);

    assertOk(r, id, "shown");
  }

  @Test
  void outcome_visitorTokenAsTextPlain_returns200() throws Exception {
    String visitor = newId("visitor");
    String id = engagement(visitor, true);

    HttpResponse<String> r = send(request(id, visitorBody(visitor, tokens.tokenFor(visitor), "ignored")),
        "Content-Type", "text/plain;charset=UTF-8");

    assertOk(r, id, "ignored");
  }

  @Test
  void outcome_anotherVisitorsToken_returns404AsForAnUnknownId() throws Exception {
    String owner = newId("visitor");
    String id = engagement(owner, true);
    String other = newId("visitor");
    engagement(other, true); // a known visitor, with engagements of their own

    HttpResponse<String> r = post(id, visitorBody(other, tokens.tokenFor(other), "accepted"), null);
    HttpResponse<String> stranger = post(id, visitorBody("never-seen", tokens.tokenFor("never-seen"), "accepted"),
        null);

    assertError(r, 404, "no engagement has id \"" + id + "\"", null);
    assertError(stranger, 404, "no engagement has id \"" + id + "\"", null);
    assertOk(post(id, "{\"outcome\": \"declined\"}", INTEGRATION), id, "declined"); // nothing was recorded
  }

  @Test
  void outcome_visitorsSuppressedEngagement_returns404() throws Exception {
    String visitor = newId("visitor");
    String id = engagement(visitor, false);

    HttpResponse<String> r = post(id, visitorBody(visitor, tokens.tokenFor(visitor), "shown"), null);

    assertError(r, 404, "no engagement has id \"" + id + "\"", null);
  }

  @Test
  void outcome_tokenOfAnotherAnonymousId_returns403() throws Exception {
    String visitor = newId("visitor");
    String id = engagement(visitor, true);

    HttpResponse<String> r = post(id, visitorBody(visitor, tokens.tokenFor("someone-else"), "shown"), null);

    assertError(r, 403, "visitor token does not match anonymousId", null);
  }

  @Test
  void outcome_visitorTokenWithoutAnonymousId_returns400() throws Exception {
    HttpResponse<String> r = post("eng_x", "{\"outcome\": \"shown\", \"visitorToken\": \"abc\"}", null);

    assertError(r, 400, "anonymousId is required with visitorToken", "anonymousId");
  }

  @Test
  void outcome_visitorTokenNotAString_returns400() throws Exception {
    HttpResponse<String> r = post("eng_x", "{\"outcome\": \"shown\", \"anonymousId\": \"a\", \"visitorToken\": 1}",
        null);

    assertError(r, 400, "visitorToken must be a string", "visitorToken");
  }

  // --- credentials

  @Test
  void outcome_withoutCredentials_returns401() throws Exception {
    HttpResponse<String> r = post("eng_x", "{\"outcome\": \"shown\", \"anonymousId\": \"a\"}", null);

    assertError(r, 401, "missing credential: send Authorization: Bearer <integration token>, or anonymousId and "
        + "visitorToken in the body", null);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void outcome_unknownBearerToken_returns401() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\"}", "Bearer int_nope"), 401, "unknown bearer token", null);
  }

  @Test
  void outcome_adminToken_returns403() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\"}", "Bearer " + TestSupport.ADMIN), 403,
        "this endpoint needs the integration token; the token sent has another scope", null);
  }

  @Test
  void outcome_visitorTokenAsBearer_returns401() throws Exception {
    String visitor = newId("visitor");
    String id = engagement(visitor, true);

    HttpResponse<String> r = post(id, "{\"outcome\": \"shown\"}", "Bearer " + tokens.tokenFor(visitor));

    assertError(r, 401, "unknown bearer token", null);
  }

  // --- body

  @Test
  void outcome_withoutOutcome_returns400() throws Exception {
    assertError(post("eng_x", "{}", INTEGRATION), 400,
        "outcome is required: one of shown, accepted, declined, ignored, expired, converted", "outcome");
  }

  @Test
  void outcome_outcomeNotAString_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": 1}", INTEGRATION), 400, "outcome must be a string", "outcome");
  }

  @Test
  void outcome_atMoreThanFiveMinutesAhead_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\", \"at\": \"2026-11-23T10:05:00.001Z\"}", INTEGRATION), 400,
        "at 2026-11-23T10:05:00.001Z is more than 5 minutes ahead of Nudge's clock (2026-11-23T10:00:00Z)", "at");
  }

  @Test
  void outcome_atWithoutOffset_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\", \"at\": \"2026-11-23T10:00:00\"}", INTEGRATION), 400,
        "at \"2026-11-23T10:00:00\" is not an ISO-8601 date-time with an offset or Z, such as 2026-11-23T10:00:00Z",
        "at");
  }

  @Test
  void outcome_atOutOfRange_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\", \"at\": \"0001-01-01T00:00:00+01:00\"}", INTEGRATION), 400,
        "at 0000-12-31T23:00:00Z is out of range: years 1 to 9999", "at");
  }

  @Test
  void outcome_emptyBody_returns400() throws Exception {
    assertError(post("eng_x", "", INTEGRATION), 400,
        "body is empty: send a JSON object such as {\"outcome\": \"accepted\"}", null);
  }

  @Test
  void outcome_malformedJson_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": ", INTEGRATION), 400, "body is not valid JSON", null);
    assertError(post("eng_x", "{\"outcome\": \"shown\"} x", INTEGRATION), 400, "body is not valid JSON", null);
  }

  @Test
  void outcome_notAnObject_returns400() throws Exception {
    assertError(post("eng_x", "[\"shown\"]", INTEGRATION), 400, "body must be a JSON object", null);
  }

  @Test
  void outcome_duplicateKey_returns400() throws Exception {
    assertError(post("eng_x", "{\"outcome\": \"shown\", \"outcome\": \"accepted\"}", INTEGRATION), 400,
        "duplicate key \"outcome\"", "outcome");
  }

  @Test
  void outcome_bytesThatAreNotUtf8_returns400() throws Exception {
    byte[] body = "{\"outcome\": \"shown\", \"anonymousId\": \"a..\"}".getBytes(StandardCharsets.UTF_8);
    body[body.length - 4] = (byte) 0xC0; // '/' as an overlong form
    body[body.length - 3] = (byte) 0xAF;

    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/v1/engagements/eng_x/outcome"))
        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofByteArray(body)), "Authorization", INTEGRATION);

    assertError(r, 400, "body is not valid UTF-8", null);
  }

  @Test
  void outcome_nestedDeeperThan20_returns400() throws Exception {
    String deep = "{\"outcome\": \"shown\", \"x\": " + "[".repeat(20) + "]".repeat(20) + "}";

    assertError(post("eng_x", deep, INTEGRATION), 400, "nesting is deeper than the 20-level limit", null);
  }

  @Test
  void outcome_bodyOverTheLimit_returns413() throws Exception {
    String big = "{\"outcome\": \"shown\", \"pad\": \"" + "p".repeat(4096) + "\"}";

    assertError(post("eng_x", big, INTEGRATION), 413, "request body is over the 4096-byte limit", null);
  }

  @Test
  void outcome_xmlBody_returns415() throws Exception {
    HttpResponse<String> r = send(request("eng_x", "<shown/>"), "Content-Type", "application/xml",
        "Authorization", INTEGRATION);

    assertError(r, 415, "content type \"application/xml\" is not supported: send application/json or text/plain",
        null);
  }

  // --- helpers

  /**
   * Makes the default rules ask for a callback: the visitor searches for "cancel". With consent it is sent,
   * without it suppressed.
   *
   * @return the engagement's id
   */
  private String engagement(String anonymousId, boolean consent) throws Exception {
    Event search = new Event(newId("m"), "test", Event.EventType.TRACK, anonymousId, null, null,
        "Products Searched", Map.of("query", "how to cancel"), null, clock.instant(),
        new Event.EventContext(null, null, null, null, null, Map.of(Purpose.CALLBACK, consent)));
    engine.submit(search).get(10, TimeUnit.SECONDS);
    AtomicReference<Decision> decision = new AtomicReference<>();
    Await.until("the callback of " + anonymousId + " is decided", () -> {
      List<Decision> decisions = engine.decisions(anonymousId);
      decisions.stream().filter(d -> d.engagement().rule().equals("cancel-intent")).findFirst()
          .ifPresent(decision::set);
      return decision.get() != null;
    });
    assertThat(decision.get().outcome())
        .isEqualTo(consent ? Decision.Outcome.SENT : Decision.Outcome.SUPPRESSED);
    return decision.get().engagement().id();
  }

  private static String visitorBody(String anonymousId, String token, String outcome) {
    return new JsonObject().put("outcome", outcome).put("anonymousId", anonymousId).put("visitorToken", token)
        .encode();
  }

  private static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private HttpResponse<String> post(String engagementId, String body, String authorization) throws Exception {
    HttpRequest.Builder request = request(engagementId, body);
    return authorization == null ? send(request, "Content-Type", JSON)
        : send(request, "Content-Type", JSON, "Authorization", authorization);
  }

  private HttpRequest.Builder request(String engagementId, String body) {
    return HttpRequest.newBuilder(base.resolve("/v1/engagements/" + engagementId + "/outcome")).timeout(WAIT)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String... headers) throws Exception {
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertOk(HttpResponse<String> r, String engagementId, String outcome) {
    assertThat(r.body()).isEqualTo(new JsonObject().put("engagementId", engagementId).put("outcome", outcome)
        .encode());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(JSON);
  }

  private static void assertError(HttpResponse<String> r, int status, String message, String field) {
    JsonObject expected = new JsonObject().put("error", message);
    if (field != null) {
      expected.put("field", field);
    }
    assertThat(r.body()).isEqualTo(expected.encode());
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(JSON);
  }
}
