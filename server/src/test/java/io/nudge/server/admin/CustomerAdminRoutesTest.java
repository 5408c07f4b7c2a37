package io.nudge.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class CustomerAdminRoutesTest {
  private static NudgeServer server;
  private static TestSupport.Client http;

  @BeforeAll
  static void start() {
    server = TestSupport.startServer();
    http = TestSupport.client(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void putConsent_beforeTheCustomerIsSeen_recordsItWithSourceApi() {
    HttpResponse<String> r = http.put("/v1/customers/new-user/consent", TestSupport.ADMIN,
        "{\"proactive_chat\": false, \"callback\": \"granted\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("customerId")).isEqualTo("new-user");
    assertThat(body.getJsonObject("consent").getJsonObject("proactive_chat").getBoolean("granted")).isFalse();
    assertThat(body.getJsonObject("consent").getJsonObject("callback").getBoolean("granted")).isTrue();
    assertThat(body.getJsonObject("consent").getJsonObject("callback").getString("source")).isEqualTo("api");

    HttpResponse<String> read = http.get("/v1/customers/new-user/consent", TestSupport.ADMIN);
    assertThat(new JsonObject(read.body()).getJsonObject("consent").fieldNames())
        .containsExactlyInAnyOrder("proactive_chat", "callback");

    http.put("/v1/customers/new-user/consent", TestSupport.ADMIN, "{\"proactive_chat\": true}");
    JsonObject after = new JsonObject(http.get("/v1/customers/new-user/consent", TestSupport.ADMIN).body());
    assertThat(after.getJsonObject("consent").getJsonObject("proactive_chat").getBoolean("granted")).isTrue();
    assertThat(after.getJsonArray("history")).hasSize(3);
    assertThat(after.getJsonArray("history").getJsonObject(0).getBoolean("granted")).isFalse();
    assertThat(after.getJsonArray("history").getJsonObject(2).getString("purpose")).isEqualTo("proactive_chat");
  }

  @Test
  void putConsent_unknownPurpose_returns400NamingIt() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, "{\"marketing\": true}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"unknown purpose \\\"marketing\\\": use analytics, "
        + "personalization, proactive_chat or callback\",\"field\":\"marketing\"}");
  }

  @Test
  void putConsent_valueNotABoolean_returns400() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, "{\"callback\": 1}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(
        "{\"error\":\"callback must be true, false, \\\"granted\\\" or \\\"denied\\\"\",\"field\":\"callback\"}");
  }

  @Test
  void putConsent_emptyObject_returns400() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, "{}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo(
        "{\"error\":\"body names no purpose: send for example {\\\"proactive_chat\\\": false}\"}");
  }

  @Test
  void putConsent_malformedJson_returns400() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, "{\"callback\": tru");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"body is not valid JSON\"}");
  }

  @Test
  void putConsent_duplicateKey_returns400NamingIt() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN,
        "{\"callback\": true, \"callback\": false}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"duplicate key \\\"callback\\\"\",\"field\":\"callback\"}");
  }

  @Test
  void putConsent_trailingDataAfterTheObject_returns400() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN,
        "{\"callback\": true}{\"analytics\": true}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"body is not valid JSON\"}");
  }

  @Test
  void putConsent_array_returns400() {
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, "[true]");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("{\"error\":\"body must be a JSON object\"}");
  }

  @Test
  void putConsent_bodyOverLimit_returns413() {
    String big = "{\"callback\": true, \"x\": \"" + "a".repeat(20_000) + "\"}";
    HttpResponse<String> r = http.put("/v1/customers/u1/consent", TestSupport.ADMIN, big);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("{\"error\":\"request body is over the size limit of this endpoint\"}");
  }

  @Test
  void decisions_unknownCustomer_returns404() {
    HttpResponse<String> r = http.get("/v1/customers/nobody/decisions", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"no customer is known by id \\\"nobody\\\"\"}");
  }

  @Test
  void adminRoute_withoutToken_returns401() {
    HttpResponse<String> r = http.get("/v1/customers/u1/decisions", null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"missing bearer token: send Authorization: Bearer <admin token>\"}");
  }

  @Test
  void adminRoute_withUnknownToken_returns401() {
    HttpResponse<String> r = http.get("/v1/customers/u1/decisions", "guess");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"unknown bearer token\"}");
  }

  @Test
  void adminRoute_withIntegrationToken_returns403() {
    HttpResponse<String> r = http.get("/v1/customers/u1/decisions", TestSupport.INTEGRATION);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo(
        "{\"error\":\"this endpoint needs the admin token; the token sent has another scope\"}");
  }

  @Test
  void adminRoute_withWriteKey_returns403() {
    HttpResponse<String> r = http.get("/v1/customers/u1/decisions", TestSupport.WRITE_KEY);

    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void adminRoute_sendsNoCorsHeaders() {
    HttpResponse<String> r = http.getWithOrigin("/v1/customers/u1/consent", TestSupport.ADMIN, "https://shop.example");

    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
