package io.nudge.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/customers/{id}/export} and {@code DELETE /v1/customers/{id}} against a real server:
 * a customer with two devices, an email and a phone, consent, a call and a tip that was shown.
 */
final class DataSubjectRoutesTest {
  private static final ManualClock CLOCK = new ManualClock();
  private static NudgeServer server;
  private static TestSupport.Client http;
  private static int messages;

  @BeforeAll
  static void start() {
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), CLOCK);
    http = TestSupport.client(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The laptop, identified, then the phone; consent; three form errors (a tip, shown); a call. */
  private static String customer(String name) throws Exception {
    String laptop = name + "-laptop";
    String phone = name + "-phone";
    String user = name + "-user";
    segment("page", "{'anonymousId': '" + laptop + "', 'properties': {'path': '/plans'}}");
    segment("identify", "{'anonymousId': '" + laptop + "', 'userId': '" + user + "',"
        + " 'traits': {'email': '" + name + "@example.com', 'phone': '" + phoneOf(name) + "', 'plan': 'gold'}}");
    assertThat(http.put("/v1/customers/" + laptop + "/consent", TestSupport.ADMIN,
        "{\"analytics\": true, \"personalization\": true, \"proactive_chat\": false}").statusCode()).isEqualTo(200);
    segment("page", "{'anonymousId': '" + phone + "', 'properties': {'path': '/account'}}");
    // acknowledged is not applied: the phone's page must be in its own journey before the phone is merged,
    // or it is applied to the merged customer instead, and there is no second visit to merge
    await(() -> server.engine().journey(phone).join().map(j -> "/account".equals(j.getCurrentPath())).orElse(false));
    segment("identify", "{'anonymousId': '" + phone + "', 'userId': '" + user + "'}");
    for (int i = 0; i < 3; i++) {
      segment("track", "{'anonymousId': '" + laptop + "', 'event': 'Form Error',"
          + " 'properties': {'form': 'checkout', 'field': 'phone'}}");
    }
    CLOCK.advance(Duration.ofSeconds(2)); // past the arbitration window
    String tip = awaitDecision(laptop);
    HttpResponse<String> call = http.send(HttpRequest.newBuilder(http.uri("/v1/interactions"))
        .header("Authorization", "Bearer " + TestSupport.INTEGRATION).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json("{'id': 'call-" + name + "', 'channel': 'call',"
            + " 'startedAt': '2026-11-23T09:30:00Z', 'queue': 'billing', 'resolved': true, 'csat': 4,"
            + " 'customer': {'userId': '" + user + "'}}"))));
    assertThat(call.statusCode()).isEqualTo(202);
    HttpResponse<String> shown = http.send(HttpRequest.newBuilder(http.uri("/v1/engagements/" + tip + "/outcome"))
        .header("Authorization", "Bearer " + TestSupport.INTEGRATION).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"outcome\": \"shown\"}")));
    assertThat(shown.statusCode()).isEqualTo(200);
    await(() -> new JsonObject(http.get("/v1/customers/" + laptop + "/journey", TestSupport.INTEGRATION).body())
        .getJsonArray("timeline").size() == 10);
    return laptop;
  }

  /** A phone number of its own: a phone linked to one customer is never linked to another. */
  private static String phoneOf(String name) {
    return "+33 6 12 34 " + String.format("%02d %02d", name.charAt(0) % 100, name.charAt(1) % 100);
  }

  private static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  private static void segment(String call, String body) {
    String withId = body.substring(0, body.length() - 1) + ", 'messageId': 'ds-" + (++messages) + "'}";
    HttpResponse<String> r = http.postSegment("/v1/" + call, TestSupport.WRITE_KEY, json(withId));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static String awaitDecision(String customer) throws Exception {
    await(() -> !server.engine().decisions(customer).isEmpty());
    return server.engine().decisions(customer).get(0).engagement().id();
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 10 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static HttpResponse<String> delete(String path, String bearer) {
    return http.send(HttpRequest.newBuilder(http.uri(path)).header("Authorization", "Bearer " + bearer).DELETE());
  }

  private static List<String> each(JsonArray array, String... fields) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      JsonObject o = array.getJsonObject(i);
      StringBuilder line = new StringBuilder();
      for (String f : fields) {
        line.append(line.length() == 0 ? "" : " ").append(o.getValue(f));
      }
      out.add(line.toString());
    }
    return out;
  }

  @Test
  void export_byAnyId_showsIdsConsentJourneyTimelineInteractionsDecisionsAndEvents() throws Exception {
    String laptop = customer("ex");

    HttpResponse<String> r = http.get("/v1/customers/ex-user/export", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.fieldNames()).containsExactly("customerId", "exportedAt", "ids", "consent", "journey",
        "timeline", "interactions", "decisions", "events");
    assertThat(body.getString("customerId")).isEqualTo(laptop);
    assertThat(body.getString("exportedAt")).isEqualTo(CLOCK.instant().toString());

    JsonObject ids = body.getJsonObject("ids");
    assertThat(ids.fieldNames()).containsExactly("links", "merged", "conflicts");
    assertThat(each(ids.getJsonArray("links"), "kind", "reason", "linkedAt")).containsExactlyInAnyOrder(
        "anonymousId first seen 2026-11-23T10:00:00Z", "userId identify 2026-11-23T10:00:00Z",
        "email identify 2026-11-23T10:00:00Z", "phone identify 2026-11-23T10:00:00Z",
        "anonymousId merge 2026-11-23T10:00:00Z");
    assertThat(each(ids.getJsonArray("links"), "id")).contains("ex-laptop", "ex-phone", "ex-user")
        .allMatch(id -> id.startsWith("ex-") || id.matches("[0-9a-f]{12}"));
    assertThat(ids.getJsonArray("merged")).isEqualTo(new JsonArray().add("ex-phone"));
    assertThat(ids.getJsonArray("conflicts")).isEmpty();

    assertThat(body.getJsonObject("consent")).isEqualTo(new JsonObject(json("""
        {'current': {'analytics': {'granted': true, 'source': 'api', 'at': '2026-11-23T10:00:00Z'},
                     'personalization': {'granted': true, 'source': 'api', 'at': '2026-11-23T10:00:00Z'},
                     'proactive_chat': {'granted': false, 'source': 'api', 'at': '2026-11-23T10:00:00Z'}},
         'history': [{'purpose': 'analytics', 'granted': true, 'source': 'api', 'at': '2026-11-23T10:00:00Z'},
                     {'purpose': 'personalization', 'granted': true, 'source': 'api',
                      'at': '2026-11-23T10:00:00Z'},
                     {'purpose': 'proactive_chat', 'granted': false, 'source': 'api',
                      'at': '2026-11-23T10:00:00Z'}]}""")));

    JsonObject journey = body.getJsonObject("journey");
    assertThat(journey.getInteger("visitCount")).as("the phone's visit merged in").isEqualTo(2);
    assertThat(journey.getString("currentPath")).isEqualTo("/plans");
    assertThat(journey.getInteger("pageViewsThisSession") + journey.getInteger("pageViewsBefore")).isEqualTo(2);
    assertThat(journey.getInteger("formErrorsThisSession")).isEqualTo(3);

    assertThat(each(body.getJsonArray("timeline"), "kind", "title")).containsExactly("page /plans",
        "identify identify", "page /account", "identify identify", "track Form Error", "track Form Error",
        "track Form Error", "interaction call", "outcome shown");
    assertThat(body.getJsonArray("interactions")).isEqualTo(new JsonArray().add(new JsonObject(json("""
        {'startedAt': '2026-11-23T09:30:00Z', 'channel': 'call', 'direction': 'inbound', 'queue': 'billing',
         'resolved': true, 'csat': 4}"""))));

    JsonArray decisions = body.getJsonArray("decisions");
    assertThat(decisions).as(decisions.encodePrettily()).hasSize(1);
    JsonObject tip = decisions.getJsonObject(0);
    assertThat(tip.fieldNames()).containsExactly("engagementId", "rule", "type", "decidedAt", "outcome", "reason",
        "fields", "context", "outcomes");
    assertThat(tip.getJsonObject("context").getJsonObject("consent").getString("personalization"))
        .as("the consent the gate saw").isEqualTo("granted");
    assertThat(tip.getString("rule")).isEqualTo("form-struggle");
    assertThat(tip.getString("type")).isEqualTo("tip");
    assertThat(tip.getString("outcome")).isEqualTo("sent");
    assertThat(tip.getJsonArray("outcomes")).isEqualTo(new JsonArray().add(
        new JsonObject().put("outcome", "shown").put("at", "2026-11-23T10:00:02Z")));

    JsonArray events = body.getJsonArray("events");
    assertThat(each(events, "type", "anonymousId", "userId")).containsExactly("page ex-laptop null",
        "identify ex-laptop ex-user", "page ex-phone null", "identify ex-phone ex-user",
        "track ex-laptop null", "track ex-laptop null", "track ex-laptop null", "interaction null ex-user",
        "outcome ex-laptop null");
    JsonObject identify = events.getJsonObject(1);
    assertThat(identify.fieldNames()).containsExactly("sequence", "receivedAt", "type", "name", "anonymousId",
        "userId", "previousId", "timestamp", "properties", "traits", "context");
    assertThat(identify.getJsonObject("traits").fieldNames()).containsExactly("email", "phone", "plan");
    assertThat(identify.getJsonObject("traits").getString("email")).as("kept only as a pseudonym")
        .matches("pseudonym:[0-9a-f]{32}");
    assertThat(identify.getJsonObject("traits").getString("plan")).isEqualTo("gold");
  }

  @Test
  void export_unknownCustomer_returns404() {
    HttpResponse<String> r = http.get("/v1/customers/nobody/export", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"no customer is known by id \\\"nobody\\\"\"}");
  }

  @Test
  void erase_byAnyId_answersTheReceipt_andTheCustomerIsGoneByEveryId() throws Exception {
    String laptop = customer("er");

    HttpResponse<String> r = delete("/v1/customers/er-phone", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject(json("""
        {'erased': true, 'customerId': 'er-laptop',
         'ids': {'anonymousIds': 2, 'userIds': 1, 'emails': 1, 'phones': 1, 'mergedCustomers': 1},
         'records': {'events': 9, 'journeys': 1, 'timeline': 9, 'consent': 3, 'decisions': 1, 'outcomes': 1,
                     'outbox': 0},
         'tombstones': 5, 'erasedAt': '%s'}""".formatted(CLOCK.instant()))));
    for (String id : List.of(laptop, "er-phone", "er-user")) {
      assertThat(http.get("/v1/customers/" + id, TestSupport.ADMIN).statusCode()).as(id).isEqualTo(404);
      assertThat(http.get("/v1/customers/" + id + "/export", TestSupport.ADMIN).statusCode()).as(id)
          .isEqualTo(404);
    }
  }

  @Test
  void erase_twice_answers404TheSecondTime() throws Exception {
    customer("tw");
    assertThat(delete("/v1/customers/tw-user", TestSupport.ADMIN).statusCode()).isEqualTo(200);

    HttpResponse<String> again = delete("/v1/customers/tw-user", TestSupport.ADMIN);

    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(again.body()).isEqualTo("{\"error\":\"no customer is known by id \\\"tw-user\\\"\"}");
  }

  @Test
  void erase_thenLateEventsWithTheOldIds_areAnswered200AndDroppedAndCounted() throws Exception {
    customer("la");
    assertThat(delete("/v1/customers/la-laptop", TestSupport.ADMIN).statusCode()).isEqualTo(200);
    long droppedBefore = stats().getLong("erasedEventsDropped");

    segment("page", "{'anonymousId': 'la-laptop', 'properties': {'path': '/help'}}");
    segment("identify", "{'anonymousId': 'la-new-tablet', 'userId': 'la-user'}");
    segment("alias", "{'previousId': 'la-phone', 'userId': 'la-other'}");
    CLOCK.advance(Duration.ofSeconds(2));
    Thread.sleep(100);

    assertThat(stats().getLong("erasedEventsDropped")).isEqualTo(droppedBefore + 3);
    for (String id : List.of("la-laptop", "la-phone", "la-user", "la-new-tablet", "la-other")) {
      assertThat(http.get("/v1/customers/" + id, TestSupport.ADMIN).statusCode()).as(id).isEqualTo(404);
    }
  }

  @Test
  void erase_unknownCustomer_returns404() {
    HttpResponse<String> r = delete("/v1/customers/nobody", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"no customer is known by id \\\"nobody\\\"\"}");
  }

  @Test
  void eraseAndExport_withTheIntegrationToken_return403() {
    for (HttpResponse<String> r : List.of(delete("/v1/customers/u1", TestSupport.INTEGRATION),
        http.get("/v1/customers/u1/export", TestSupport.INTEGRATION))) {
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).isEqualTo(
          "{\"error\":\"this endpoint needs the admin token; the token sent has another scope\"}");
    }
  }

  @Test
  void erase_withoutToken_returns401() {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri("/v1/customers/u1")).DELETE());

    assertThat(r.statusCode()).isEqualTo(401);
  }

  private static JsonObject stats() {
    return new JsonObject(http.get("/v1/stats", TestSupport.ADMIN).body());
  }
}
