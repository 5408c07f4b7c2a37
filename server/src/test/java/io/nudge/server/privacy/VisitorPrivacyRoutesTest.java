package io.nudge.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A visitor sees and changes their own data with their visitor credential, and nobody else's. */
final class VisitorPrivacyRoutesTest {
  private static final String GRANTING_PAGE = "{\"anonymousId\":\"%s\",\"properties\":{\"path\":\"%s\"},"
      + "\"context\":{\"consent\":{\"categoryPreferences\":{\"analytics\":true,\"personalization\":true,"
      + "\"proactive_chat\":true,\"callback\":true}}}}";

  private NudgeServer server;
  private TestSupport.Client http;

  @BeforeEach
  void start() {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_ALLOWED_ORIGINS", "https://shop.example");
    server = TestSupport.startServer(env, new ManualClock());
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String tokenOf(String anonymousId) {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri("/v1/visitor/token"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("writeKey", TestSupport.WRITE_KEY)
            .put("anonymousId", anonymousId).encode())));
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getString("token");
  }

  private HttpResponse<String> asVisitor(String method, String path, String credential, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (credential != null) {
      b.header("Authorization", credential);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b);
  }

  private String credentialOf(String anonymousId) {
    return "Visitor " + anonymousId + ":" + tokenOf(anonymousId);
  }

  private void browse(String anonymousId, String path) throws Exception {
    assertThat(http.postSegment("/v1/page", TestSupport.WRITE_KEY, GRANTING_PAGE.formatted(anonymousId, path))
        .statusCode()).isEqualTo(200);
    server.engine().journey(anonymousId).get(); // applied
  }

  @Test
  void data_withoutCredential_is401_andSaysWhatToSend() {
    HttpResponse<String> r = asVisitor("GET", "/v1/visitor/data", null, null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("send Authorization: Visitor <anonymousId>:<token>");
  }

  @Test
  void data_withAnotherVisitorsToken_is403_andShowsNothing() throws Exception {
    browse("ann", "/private/ann");

    HttpResponse<String> r = asVisitor("GET", "/v1/visitor/data", "Visitor ann:" + tokenOf("bob"), null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("{\"error\":\"visitor token does not match anonymousId\"}");
  }

  @Test
  void data_showsTheVisitorsOwnJourneyAndChoices_andNotAnotherVisitors() throws Exception {
    browse("ann", "/products/lamp");
    browse("bob", "/bob-only");

    HttpResponse<String> r = asVisitor("GET", "/v1/visitor/data", credentialOf("ann"), null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getBoolean("known")).isTrue();
    assertThat(body.getJsonObject("purposes").getJsonObject("analytics").getString("state")).isEqualTo("granted");
    assertThat(body.getJsonObject("profile").getJsonObject("journey").getJsonArray("recentPaths"))
        .containsExactly("/products/lamp");
    assertThat(r.body()).doesNotContain("bob");
  }

  @Test
  void data_ofAVisitorNeverSeen_holdsNothing_andShowsEveryPurposeUnset() {
    JsonObject body = new JsonObject(asVisitor("GET", "/v1/visitor/data", credentialOf("new-1"), null).body());

    assertThat(body.getBoolean("known")).isFalse();
    assertThat(body.getValue("profile")).isNull();
    assertThat(body.getJsonObject("purposes").fieldNames())
        .containsExactly("analytics", "personalization", "proactive_chat", "callback");
    assertThat(body.getJsonObject("purposes").getJsonObject("callback").getString("state")).isEqualTo("unset");
    assertThat(body.getJsonObject("purposes").getJsonObject("callback").getBoolean("allowed")).isFalse(); // opt-in
  }

  @Test
  void consent_isRecordedWithSourceVisitor_andSuppressesTheNextEngagementOfThatPurpose() throws Exception {
    browse("ann", "/");

    HttpResponse<String> r = asVisitor("POST", "/v1/visitor/consent", credentialOf("ann"), "{\"callback\":false}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonObject("purposes").getJsonObject("callback").getString("source"))
        .isEqualTo("visitor");
    // the page's SDK still says callback: true in every event; the visitor's own choice stands
    browse("ann", "/account/cancel");
    JsonObject consent = new JsonObject(http.get("/v1/customers/ann/consent", TestSupport.ADMIN).body())
        .getJsonObject("consent").getJsonObject("callback");
    assertThat(consent.getBoolean("granted")).isFalse();
    assertThat(consent.getString("source")).isEqualTo("visitor");
    JsonArray decisions = new JsonObject(http.get("/v1/customers/ann/decisions", TestSupport.ADMIN).body())
        .getJsonArray("decisions");
    assertThat(decisions).isNotEmpty();
    assertThat(decisions.getJsonObject(0).getString("rule")).isEqualTo("cancel-intent");
    assertThat(decisions.getJsonObject(0).getString("reason")).isEqualTo("consent:callback");
  }

  @Test
  void consent_withAnotherVisitorsToken_is403_andChangesNothing() throws Exception {
    browse("ann", "/");

    HttpResponse<String> r = asVisitor("POST", "/v1/visitor/consent", "Visitor ann:" + tokenOf("bob"),
        "{\"callback\":false}");

    assertThat(r.statusCode()).isEqualTo(403);
    JsonObject consent = new JsonObject(http.get("/v1/customers/ann/consent", TestSupport.ADMIN).body())
        .getJsonObject("consent").getJsonObject("callback");
    assertThat(consent.getBoolean("granted")).isTrue();
    assertThat(consent.getString("source")).isEqualTo("event");
  }

  @Test
  void consent_unknownPurposeOrBadBody_is400NamingIt() {
    String ann = credentialOf("ann");

    HttpResponse<String> unknown = asVisitor("POST", "/v1/visitor/consent", ann, "{\"marketing\":false}");
    HttpResponse<String> notJson = asVisitor("POST", "/v1/visitor/consent", ann, "{\"callback\":");
    HttpResponse<String> badValue = asVisitor("POST", "/v1/visitor/consent", ann, "{\"callback\":\"no\"}");

    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown purpose \\\"marketing\\\": use analytics, personalization, "
        + "proactive_chat or callback");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("body is not valid JSON");
    assertThat(badValue.statusCode()).isEqualTo(400);
    assertThat(badValue.body()).contains("callback must be true, false, \\\"granted\\\" or \\\"denied\\\"");
  }

  @Test
  void forget_erasesLikeTheAdminApi_andAnswersWithAReceipt() throws Exception {
    browse("ann", "/products/lamp");
    String ann = credentialOf("ann");

    HttpResponse<String> r = asVisitor("POST", "/v1/visitor/forget", ann, null);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject receipt = new JsonObject(r.body());
    assertThat(receipt.getBoolean("erased")).isTrue();
    assertThat(receipt.getString("erasedAt")).isNotBlank();
    assertThat(http.get("/v1/customers/ann/export", TestSupport.ADMIN).statusCode()).isEqualTo(404);
    HttpResponse<String> again = asVisitor("POST", "/v1/visitor/forget", ann, null);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(again.body()).isEqualTo("{\"error\":\"nothing is held about this visitor\"}");
  }

  @Test
  void forget_withAnotherVisitorsToken_is403_andErasesNothing() throws Exception {
    browse("ann", "/");

    HttpResponse<String> r = asVisitor("POST", "/v1/visitor/forget", "Visitor ann:" + tokenOf("bob"), null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(http.get("/v1/customers/ann/export", TestSupport.ADMIN).statusCode()).isEqualTo(200);
  }

  @Test
  void preflightFromTheSite_allowsTheVisitorCredentialHeader() {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri("/v1/visitor/consent"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization, content-type"));

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://shop.example");
    assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
  }
}
