package io.nudge.server.contactcentre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import io.nudge.server.ManualClock;
import io.nudge.server.TestSupport;
import io.nudge.server.http.Credentials;
import io.nudge.server.http.Failures;
import io.nudge.server.http.RateLimits;
import io.nudge.server.http.SiteOrigins;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class InteractionRoutesTest {
  private static final Credentials CREDENTIALS =
      new Credentials(Set.of(TestSupport.WRITE_KEY), TestSupport.INTEGRATION, TestSupport.ADMIN);
  private static final String JSON = "application/json";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ManualClock clock = new ManualClock(); // 2026-11-23T10:00:00Z, never moved here
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Vertx vertx;
  private NudgeEngine engine;
  private NudgeEngine overloaded;
  private URI base;
  private URI overloadedBase;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    RulePack rules = RulePack.load(Path.of(System.getProperty("nudge.rules.dir", "../rules")));
    engine = NudgeEngine.start(EngineSettings.defaults().withShards(2).withClock(clock)
        .withPolicy(io.nudge.engine.policy.ContactPolicy.defaults().withArbitrationWindow(java.time.Duration.ZERO)),
        rules, d -> { });
    base = serve(engine);
    // one shard that holds two events: a batch of three can never fit
    overloaded = NudgeEngine.start(EngineSettings.defaults().withShards(1).withQueueCapacity(2).withClock(clock),
        rules, d -> { });
    overloadedBase = serve(overloaded);
  }

  private URI serve(NudgeEngine e) throws Exception {
    Router router = Router.router(vertx);
    // in front, as in NudgeServer: the routes must read their bodies behind other /v1 handlers
    router.route("/v1/*").handler(SiteOrigins.create(List.of()));
    router.route("/v1/*").handler(RateLimits.create(CREDENTIALS, 0, 0, List.of()));
    InteractionRoutes.create(e, CREDENTIALS, clock).mount(router);
    router.route().failureHandler(Failures::handle);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  @AfterAll
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    engine.close();
    overloaded.close();
  }

  // --- accepted

  @Test
  void post_oneInteraction_returns202AndTheJourneyRecordsIt() throws Exception {
    String user = newId("user");
    HttpResponse<String> r = post(json("""
        {'id': 'cc-1-%s', 'channel': 'call', 'direction': 'outbound', 'startedAt': '2026-11-23T09:30:00Z',
         'endedAt': '2026-11-23T09:42:10Z', 'queue': 'billing', 'agentId': 'agent-7', 'caseId': 'case-1',
         'reason': 'refund', 'resolved': false, 'csat': 2, 'nps': 4, 'notes': 'asked twice',
         'customer': {'userId': '%s'}}""".formatted(user, user)));

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEqualTo("{\"accepted\":1}");
    assertThat(r.headers().firstValue("Content-Type")).hasValue(JSON);
    Journey j = journeyWhen(user, x -> x.getInteractionCount() == 1);
    assertThat(j.getLastContactChannel()).isEqualTo("call");
    assertThat(j.getLastContactAt()).isEqualTo(Instant.parse("2026-11-23T09:30:00Z").toEpochMilli());
    assertThat(j.getLastContactQueue()).isEqualTo("billing");
    assertThat(j.getLastContactCaseId()).isEqualTo("case-1");
    assertThat(j.getLastContactReason()).isEqualTo("refund");
    assertThat(j.isLastContactResolved()).isFalse();
    assertThat(j.getLastCsat()).isEqualTo(2);
    assertThat(j.getOpenCases()).containsExactly("case-1");
  }

  @Test
  void post_batch_returns202WithTheCount() throws Exception {
    String a = newId("anon");
    String b = newId("anon");
    HttpResponse<String> r = post(json("""
        {'interactions': [
          {'channel': 'chat', 'startedAt': '2026-11-23T09:00:00Z', 'customer': {'anonymousId': '%s'}},
          {'channel': 'email', 'startedAt': '2026-11-23T09:01:00Z', 'resolved': true, 'caseId': 'c-9',
           'customer': {'anonymousId': '%s'}}]}""".formatted(a, b)));

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEqualTo("{\"accepted\":2}");
    assertThat(journeyWhen(a, x -> x.getInteractionCount() == 1).getLastContactChannel()).isEqualTo("chat");
    Journey jb = journeyWhen(b, x -> x.getInteractionCount() == 1);
    assertThat(jb.getLastContactChannel()).isEqualTo("email");
    assertThat(jb.isLastContactResolved()).isTrue();
    assertThat(jb.getOpenCases()).isEmpty();
  }

  @Test
  void post_channelInAnyCaseStartingExactlyFiveMinutesAhead_isAcceptedInLowerCase() throws Exception {
    String user = newId("user");
    HttpResponse<String> r = post(json("""
        {'channel': 'STORE', 'startedAt': '2026-11-23T11:05:00+01:00', 'customer': {'userId': '%s'}}"""
        .formatted(user)));

    assertThat(r.statusCode()).isEqualTo(202);
    Journey j = journeyWhen(user, x -> x.getInteractionCount() == 1);
    assertThat(j.getLastContactChannel()).isEqualTo("store");
    assertThat(j.getLastContactAt()).isEqualTo(Instant.parse("2026-11-23T10:05:00Z").toEpochMilli());
  }

  @Test
  void post_unresolvedCallThenAPageView_firesTheFollowUpChatOnTheCallsQueue() throws Exception {
    String visitor = newId("visitor");
    HttpResponse<String> r = post(json("""
        {'channel': 'call', 'startedAt': '2026-11-23T09:00:00Z', 'queue': 'billing', 'caseId': 'case-7',
         'customer': {'anonymousId': '%s'}}""".formatted(visitor)));
    assertThat(r.statusCode()).isEqualTo(202);

    engine.submit(pageView(visitor)).get(10, TimeUnit.SECONDS);

    Decision d = decisionWhen(visitor);
    assertThat(d.engagement().rule()).isEqualTo("unresolved-contact-followup");
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT);
    assertThat(d.engagement().fields()).containsEntry("queue", "billing");
  }

  @Test
  void post_sameIdTwice_appliesItOnce() throws Exception {
    String user = newId("user");
    String body = json("""
        {'id': 'retry-%s', 'channel': 'call', 'startedAt': '2026-11-23T09:30:00Z', 'customer': {'userId': '%s'}}"""
        .formatted(user, user));

    assertThat(post(body).statusCode()).isEqualTo(202);
    assertThat(post(body).statusCode()).isEqualTo(202);
    engine.submit(pageView(user)).get(10, TimeUnit.SECONDS); // applied after both, on the same shard

    assertThat(journeyWhen(user, x -> x.getPageViewsThisSession() == 1).getInteractionCount()).isEqualTo(1);
  }

  @Test
  void post_batchWithOneInvalidInteraction_submitsNone() throws Exception {
    String first = newId("user");
    HttpResponse<String> r = post(json("""
        {'interactions': [
          {'channel': 'call', 'startedAt': '2026-11-23T09:00:00Z', 'customer': {'userId': '%s'}},
          {'channel': 'call', 'startedAt': '2026-11-23T09:00:00Z', 'csat': 9, 'customer': {'userId': 'u'}}]}"""
        .formatted(first)));

    assertError(r, 400, "csat 9 is not an integer from 1 to 5", "csat", 1);
    assertThat(engine.customerOf(first)).isEmpty();
  }

  // --- credentials, content type, size

  @Test
  void post_withoutToken_returns401() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Content-Type", JSON);

    assertError(r, 401, "missing bearer token: send Authorization: Bearer <integration token>", null, null);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void post_unknownToken_returns401() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Content-Type", JSON, "Authorization", "Bearer int_nope");

    assertError(r, 401, "unknown bearer token", null, null);
  }

  @Test
  void post_adminToken_returns403() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Content-Type", JSON,
        "Authorization", "Bearer " + TestSupport.ADMIN);

    assertError(r, 403, "this endpoint needs the integration token; the token sent has another scope", null, null);
  }

  @Test
  void post_writeKeyAsBearer_returns403() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Content-Type", JSON,
        "Authorization", "Bearer " + TestSupport.WRITE_KEY);

    assertError(r, 403, "this endpoint needs the integration token; the token sent has another scope", null, null);
  }

  @Test
  void post_withoutContentType_isReadAsJson() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Authorization", "Bearer " + TestSupport.INTEGRATION);

    assertThat(r.statusCode()).isEqualTo(202);
  }

  @Test
  void post_textPlain_returns415() throws Exception {
    HttpResponse<String> r = send(request(valid()), "Content-Type", "Text/Plain; charset=utf-8",
        "Authorization", "Bearer " + TestSupport.INTEGRATION);

    assertError(r, 415, "content type \"text/plain\" is not supported: send application/json", null, null);
  }

  @Test
  void post_contentLengthOverTheLimit_returns413() throws Exception {
    HttpResponse<String> r = post(new byte[300_000]);

    assertError(r, 413, "request body is 300000 bytes, over the 262144-byte limit", null, null);
  }

  @Test
  void post_chunkedBodyOverTheLimit_returns413() throws Exception {
    byte[] body = new byte[300_000];
    HttpRequest.Builder chunked = HttpRequest.newBuilder(base.resolve("/v1/interactions"))
        .timeout(WAIT)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));

    HttpResponse<String> r = send(chunked, "Authorization", "Bearer " + TestSupport.INTEGRATION);

    assertError(r, 413, "request body is over the 262144-byte limit", null, null);
  }

  @Test
  void post_1001Interactions_returns413() throws Exception {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      items.add(new JsonObject());
    }

    HttpResponse<String> r = post(new JsonObject().put("interactions", items).encode());

    assertError(r, 413, "batch has 1001 interactions, over the 1000-interaction limit", null, null);
  }

  @Test
  void post_1000Interactions_returns202() throws Exception {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      items.add(new JsonObject(valid()).put("customer", new JsonObject().put("userId", "bulk-" + (i % 10))));
    }

    HttpResponse<String> r = post(new JsonObject().put("interactions", items).encode());

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEqualTo("{\"accepted\":1000}");
  }

  @Test
  void post_moreThanAShardHolds_returns429WithRetryAfter() throws Exception {
    String item = valid();
    HttpResponse<String> r = send(HttpRequest.newBuilder(overloadedBase.resolve("/v1/interactions")).timeout(WAIT)
        .POST(HttpRequest.BodyPublishers.ofString("{\"interactions\":[" + item + "," + item + "," + item + "]}")),
        "Content-Type", JSON, "Authorization", "Bearer " + TestSupport.INTEGRATION);

    assertError(r, 429, "shard 0 has 0 events queued, its limit of 2 (NUDGE_SHARD_QUEUE); retry later", null, null);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
  }

  // --- the body as JSON

  @Test
  void post_emptyBody_returns400() throws Exception {
    assertError(post(""), 400, "body is empty: send an interaction, or {\"interactions\": [...]}", null, null);
  }

  @Test
  void post_malformedJson_returns400WithTheLocation() throws Exception {
    assertError(post("{\"channel\": }"), 400,
        "body is not valid JSON: unexpected character ('}' (code 125)): expected a value at line 1, column 13",
        null, null);
  }

  @Test
  void post_contentAfterTheObject_returns400() throws Exception {
    assertError(post(valid() + " x"), 400,
        "body is not valid JSON: content after the end of the object at line 1, column " + (valid().length() + 2),
        null, null);
  }

  @Test
  void post_array_returns400() throws Exception {
    assertError(post("[" + valid() + "]"), 400, "body must be a JSON object", null, null);
  }

  @Test
  void post_bytesThatAreNotUtf8_returns400() throws Exception {
    byte[] body = valid().replace("u-1", "u-\u0001\u0002").getBytes(StandardCharsets.UTF_8);
    int at = indexOf(body, (byte) 1);
    body[at] = (byte) 0xC0; // C0 AF: '/' as an overlong form, which Jackson would let through
    body[at + 1] = (byte) 0xAF;

    assertError(post(body), 400, "body is not valid UTF-8", null, null);
  }

  @Test
  void post_duplicateKey_returns400NamingIt() throws Exception {
    assertError(post(json("{'channel': 'call', 'customer': {'userId': 'a', 'userId': 'b'}}")), 400,
        "duplicate key \"userId\"", "customer.userId", null);
  }

  @Test
  void post_duplicateKeyInABatch_returns400WithTheIndex() throws Exception {
    assertError(post(json("{'interactions': [" + valid().replace('"', '\'') + ", {'csat': 1, 'csat': 2}]}")), 400,
        "duplicate key \"csat\"", "csat", 1);
  }

  @Test
  void post_nestedDeeperThan20_returns400() throws Exception {
    String twentyOne = "{\"a\":".repeat(20) + "1" + "}".repeat(20); // the body and 20 objects inside it
    String twenty = "{\"a\":".repeat(19) + "1" + "}".repeat(19);

    String item = valid().substring(0, valid().length() - 1) + ",\"notes\":";

    assertError(post(item + twentyOne + "}"), 400, "nesting is deeper than the 20-level limit",
        "notes" + ".a".repeat(19), null);
    assertError(post(item + twenty + "}"), 400, "notes must be a string", "notes", null);
  }

  @Test
  void post_interactionsThatIsNotAnArray_returns400() throws Exception {
    assertError(post("{\"interactions\": {}}"), 400, "interactions must be a non-empty array", "interactions", null);
    assertError(post("{\"interactions\": []}"), 400, "interactions must be a non-empty array", "interactions", null);
  }

  @Test
  void post_batchItemThatIsNotAnObject_returns400WithTheIndex() throws Exception {
    assertError(post("{\"interactions\": [" + valid() + ", 7]}"), 400, "interaction must be a JSON object", null, 1);
  }

  // --- fields

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFields")
  void post_invalidField_returns400NamingIt(String item, String message, String field) throws Exception {
    assertError(post(json(item)), 400, message, field, null);
  }

  static Stream<Arguments> invalidFields() {
    String time = "'startedAt': '2026-11-23T09:30:00Z'";
    String who = "'customer': {'userId': 'u-1'}";
    String base = "'channel': 'call', " + time + ", " + who;
    return Stream.of(
        Arguments.of("{" + time + ", " + who + "}", "channel is required", "channel"),
        Arguments.of("{'channel': 'fax', " + time + ", " + who + "}",
            "channel \"fax\" is not one of call, chat, email, social, store", "channel"),
        Arguments.of("{'channel': 5, " + time + ", " + who + "}",
            "channel 5 is not one of call, chat, email, social, store", "channel"),
        Arguments.of("{" + base + ", 'direction': 'sideways'}",
            "direction \"sideways\" is not one of inbound, outbound", "direction"),
        Arguments.of("{'channel': 'call', " + who + "}", "startedAt is required", "startedAt"),
        Arguments.of("{'channel': 'call', 'startedAt': '2026-11-23T09:30:00', " + who + "}",
            "startedAt \"2026-11-23T09:30:00\" is not an ISO-8601 date-time with an offset or Z, such as "
                + "2026-11-23T10:00:00Z", "startedAt"),
        Arguments.of("{'channel': 'call', 'startedAt': 1795428000000, " + who + "}",
            "startedAt 1795428000000 is not an ISO-8601 date-time with an offset or Z, such as "
                + "2026-11-23T10:00:00Z", "startedAt"),
        Arguments.of("{'channel': 'call', 'startedAt': '0001-01-01T00:00:00+01:00', " + who + "}",
            "startedAt 0000-12-31T23:00:00Z is out of range: years 1 to 9999", "startedAt"),
        Arguments.of("{'channel': 'call', 'startedAt': '2026-11-23T10:05:00.001Z', " + who + "}",
            "startedAt 2026-11-23T10:05:00.001Z is more than 5 minutes ahead of Nudge's clock "
                + "(2026-11-23T10:00:00Z)", "startedAt"),
        Arguments.of("{" + base + ", 'endedAt': '2026-11-23T09:29:59Z'}",
            "endedAt 2026-11-23T09:29:59Z is before startedAt 2026-11-23T09:30:00Z", "endedAt"),
        Arguments.of("{" + base + ", 'endedAt': 'soon'}",
            "endedAt \"soon\" is not an ISO-8601 date-time with an offset or Z, such as 2026-11-23T10:00:00Z",
            "endedAt"),
        Arguments.of("{" + base + ", 'queue': '" + "q".repeat(257) + "'}",
            "queue is 257 characters, over the 256-character limit", "queue"),
        Arguments.of("{" + base + ", 'agentId': 7}", "agentId must be a string", "agentId"),
        Arguments.of("{" + base + ", 'caseId': ['c']}", "caseId must be a string", "caseId"),
        Arguments.of("{" + base + ", 'reason': {}}", "reason must be a string", "reason"),
        Arguments.of("{" + base + ", 'resolved': 'yes'}", "resolved must be true or false", "resolved"),
        Arguments.of("{" + base + ", 'csat': 0}", "csat 0 is not an integer from 1 to 5", "csat"),
        Arguments.of("{" + base + ", 'csat': 6}", "csat 6 is not an integer from 1 to 5", "csat"),
        Arguments.of("{" + base + ", 'csat': 4.5}", "csat 4.5 is not an integer from 1 to 5", "csat"),
        Arguments.of("{" + base + ", 'csat': '5'}", "csat \"5\" is not an integer from 1 to 5", "csat"),
        Arguments.of("{" + base + ", 'nps': 11}", "nps 11 is not an integer from 0 to 10", "nps"),
        Arguments.of("{" + base + ", 'nps': -1}", "nps -1 is not an integer from 0 to 10", "nps"),
        Arguments.of("{" + base + ", 'notes': '" + "n".repeat(2001) + "'}",
            "notes is 2001 characters, over the 2000-character limit", "notes"),
        Arguments.of("{" + base + ", 'id': 7}", "id must be a string", "id"),
        Arguments.of("{'channel': 'call', " + time + "}", "customer is required", "customer"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': 'u-1'}", "customer must be an object",
            "customer"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {}}",
            "customer.userId, customer.anonymousId, customer.email or customer.phone is required", "customer"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {'userId': ' '}}",
            "customer.userId, customer.anonymousId, customer.email or customer.phone is required", "customer"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {'email': 'ann at example.com'}}",
            "customer.email is not an email address", "customer.email"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {'phone': '01632 960001'}}",
            "customer.phone is not a phone number with its country code, such as +44 20 7946 0958",
            "customer.phone"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {'userId': 42}}",
            "customer.userId must be a string", "customer.userId"),
        Arguments.of("{'channel': 'call', " + time + ", 'customer': {'anonymousId': '" + "a".repeat(257) + "'}}",
            "customer.anonymousId is 257 characters, over the 256-character limit", "customer.anonymousId"));
  }

  // --- helpers

  /** A valid interaction, as JSON. */
  private static String valid() {
    return "{\"channel\":\"call\",\"startedAt\":\"2026-11-23T09:30:00Z\",\"customer\":{\"userId\":\"u-1\"}}";
  }

  /** JSON written with single quotes, for readability. */
  private static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private Event pageView(String anonymousId) {
    return new Event(newId("m"), "test", Event.EventType.PAGE, anonymousId, null, null, null,
        Map.of("path", "/account"), null, clock.instant(),
        new Event.EventContext(null, null, null, null, null, Map.of(Purpose.PROACTIVE_CHAT, true)));
  }

  private HttpResponse<String> post(String body) throws Exception {
    return post(body.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> post(byte[] body) throws Exception {
    return send(request(body), "Content-Type", JSON, "Authorization", "Bearer " + TestSupport.INTEGRATION);
  }

  private HttpRequest.Builder request(String body) {
    return request(body.getBytes(StandardCharsets.UTF_8));
  }

  private HttpRequest.Builder request(byte[] body) {
    return HttpRequest.newBuilder(base.resolve("/v1/interactions")).timeout(WAIT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String... headers) throws Exception {
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, String message, String field, Integer index) {
    JsonObject expected = new JsonObject().put("error", message);
    if (field != null) {
      expected.put("field", field);
    }
    if (index != null) {
      expected.put("index", index);
    }
    assertThat(r.body()).isEqualTo(expected.encode());
    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue(JSON);
  }

  private Journey journeyWhen(String customerRef, Predicate<Journey> condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Optional<Journey> j = Optional.empty();
    while (System.nanoTime() < deadline) {
      j = engine.journey(customerRef).get(5, TimeUnit.SECONDS);
      if (j.isPresent() && condition.test(j.get())) {
        return j.get();
      }
      Thread.sleep(10);
    }
    return fail("journey of %s never met the condition; last: %s", customerRef, j);
  }

  private Decision decisionWhen(String customerRef) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<Decision> decisions = engine.decisions(customerRef);
      if (!decisions.isEmpty()) {
        assertThat(decisions).hasSize(1);
        return decisions.get(0);
      }
      Thread.sleep(10);
    }
    return fail("no decision about %s", customerRef);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new AssertionError("byte " + b + " not found");
  }
}
