package io.nudge.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Global Privacy Control and Do Not Track deny analytics and personalisation, as the policy says. */
final class PrivacySignalsTest {
  private static final String GRANTING = "{\"anonymousId\":\"%s\",\"properties\":{\"path\":\"/\"},"
      + "\"context\":{\"consent\":{\"categoryPreferences\":{\"personalization\":true,\"analytics\":true}}%s}}";

  private static HttpResponse<String> page(TestSupport.Client http, String body, String header, String value) {
    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri("/v1/page"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((TestSupport.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (header != null) {
      b.header(header, value);
    }
    return http.send(b);
  }

  private static JsonObject consent(NudgeServer server, String id) throws Exception {
    server.engine().journey(id).get(); // applied
    return new JsonObject(TestSupport.client(server).get("/v1/customers/" + id + "/consent", TestSupport.ADMIN)
        .body()).getJsonObject("consent");
  }

  /** The customer's consent once its personalization choice came from {@code source} (waits up to 5 s). */
  private static JsonObject consentOnceFrom(NudgeServer server, String id, String source) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    JsonObject consent = consent(server, id);
    while (!source.equals(consent.getJsonObject("personalization").getString("source"))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
      consent = consent(server, id);
    }
    return consent;
  }

  @Test
  void secGpcHeader_deniesAnalyticsAndPersonalisation_withSourceSignal_evenWhenTheEventGrantsThem()
      throws Exception {
    try (NudgeServer server = TestSupport.startServer()) {
      TestSupport.Client http = TestSupport.client(server);
      page(http, GRANTING.formatted("gpc-1", ""), null, null); // a stored customer first

      assertThat(page(http, GRANTING.formatted("gpc-1", ""), "Sec-GPC", "1").statusCode()).isEqualTo(200);

      JsonObject consent = consentOnceFrom(server, "gpc-1", "signal");
      assertThat(consent.getJsonObject("personalization").getBoolean("granted")).isFalse();
      assertThat(consent.getJsonObject("personalization").getString("source")).isEqualTo("signal");
      assertThat(consent.getJsonObject("analytics").getBoolean("granted")).isFalse();
    }
  }

  @Test
  void secGpcHeader_fromAVisitorNeverStored_leavesNoCustomerBehind() throws Exception {
    try (NudgeServer server = TestSupport.startServer()) {
      TestSupport.Client http = TestSupport.client(server);

      assertThat(page(http, GRANTING.formatted("gpc-new", ""), "Sec-GPC", "1").statusCode()).isEqualTo(200);
      Thread.sleep(200);

      assertThat(http.get("/v1/customers/gpc-new", TestSupport.ADMIN).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void dntHeaderAndContextGpc_areSignalsToo() throws Exception {
    try (NudgeServer server = TestSupport.startServer()) {
      TestSupport.Client http = TestSupport.client(server);
      page(http, GRANTING.formatted("dnt-1", ""), null, null);
      page(http, GRANTING.formatted("ctx-1", ""), null, null);

      page(http, GRANTING.formatted("dnt-1", ""), "DNT", "1");
      page(http, GRANTING.formatted("ctx-1", ",\"gpc\":true"), null, null);

      assertThat(consentOnceFrom(server, "dnt-1", "signal").getJsonObject("personalization").getBoolean("granted"))
          .isFalse();
      assertThat(consentOnceFrom(server, "ctx-1", "signal").getJsonObject("personalization").getBoolean("granted"))
          .isFalse();
    }
  }

  @Test
  void noSignal_theEventsOwnChoicesStand() throws Exception {
    try (NudgeServer server = TestSupport.startServer()) {
      page(TestSupport.client(server), GRANTING.formatted("none-1", ""), "Sec-GPC", "0");

      JsonObject consent = consent(server, "none-1");
      assertThat(consent.getJsonObject("personalization").getBoolean("granted")).isTrue();
      assertThat(consent.getJsonObject("personalization").getString("source")).isEqualTo("event");
    }
  }

  @Test
  void policyIgnore_leavesSignalsAside() throws Exception {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_PRIVACY_SIGNALS", "ignore");
    try (NudgeServer server = TestSupport.startServer(env, new ManualClock())) {
      page(TestSupport.client(server), GRANTING.formatted("ign-1", ""), "Sec-GPC", "1");

      assertThat(consent(server, "ign-1").getJsonObject("personalization").getBoolean("granted")).isTrue();
    }
  }
}
