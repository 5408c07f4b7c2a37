package io.nudge.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The smallest inputs that reproduced what {@link EndpointFuzzTest} found, one test per bug, each
 * asserting the documented behaviour: regression tests named after what broke.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class FuzzFindingsTest {
  private NudgeServer server;
  private FuzzClient client;

  @BeforeAll
  void start() {
    server = TestSupport.startServer();
    client = new FuzzClient(server.port());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void ingest_idThatOverflowsADouble_returns400() {
    SoftAssertions soft = new SoftAssertions();
    for (String field : List.of("anonymousId", "userId", "messageId")) {
      String other = field.equals("anonymousId") ? "userId" : "anonymousId";
      String body = "{\"" + other + "\":\"x\",\"event\":\"e\",\"" + field + "\":1e999}";

      Answer a = client.answer(FuzzClient.post("/v1/track", null, utf8(body)));

      soft.assertThat(a.status()).as(field + ": " + text(a)).isEqualTo(400);
      soft.assertThat(text(a)).as(field).contains("\"field\":\"" + field + "\"");
    }
    soft.assertAll();
  }

  @Test
  void ingest_timestampPastTheEpochMillisecondRange_returns400() {
    String body = "{\"anonymousId\":\"x\",\"event\":\"e\",\"timestamp\":\"+292278994-08-17T07:12:55.808Z\"}";

    Answer a = client.answer(FuzzClient.post("/v1/track", null, utf8(body)));

    assertThat(a.status()).isEqualTo(400);
    assertThat(text(a)).contains("\"field\":\"timestamp\"");
  }

  @Test
  void ingest_clockSkewPastTheInstantRange_returns400() {
    String body = "{\"anonymousId\":\"x\",\"event\":\"e\",\"originalTimestamp\":\"-999999999-01-01T00:00:00Z\","
        + "\"sentAt\":\"+999999999-12-31T23:59:59Z\"}";

    Answer a = client.answer(FuzzClient.post("/v1/track", null, utf8(body)));

    assertThat(a.status()).isEqualTo(400);
  }

  @Test
  void admin_putConsentWithADuplicateKey_returns400() {
    Answer a = client.answer(FuzzClient.putConsent("dup", "application/json",
        utf8("{\"proactive_chat\":true,\"proactive_chat\":false}")));

    assertThat(a.status()).isEqualTo(400);
    assertThat(text(a)).contains("duplicate key");
  }

  @Test
  void admin_putConsentWithoutAJsonBody_returns400_orAsMultipart415() {
    Answer empty = client.answer(FuzzClient.putConsent("empty", "application/json", new byte[0]));
    Answer multipart = client.answer(FuzzClient.putConsent("empty", "multipart/form-data; boundary=zz",
        utf8("{\"callback\":true}")));

    assertThat(empty.status()).as(text(empty)).isEqualTo(400);
    assertThat(text(empty)).isEqualTo("{\"error\":\"body is empty: send a JSON object\"}");
    assertThat(multipart.status()).as(text(multipart)).isEqualTo(415);
    assertThat(text(multipart)).isEqualTo(
        "{\"error\":\"content type \\\"multipart/form-data\\\" is not supported: send application/json\"}");
  }

  @Test
  void admin_putConsentBadValueForAnUpperCasePurpose_messageStartsInLowerCase() {
    Answer a = client.answer(FuzzClient.putConsent("case", "application/json", utf8("{\"PROACTIVE_CHAT\":1}")));

    assertThat(a.status()).isEqualTo(400);
    assertThat(text(a)).startsWith("{\"error\":\"proactive_chat must be true, false");
  }

  @Test
  void path_brokenPercentEscape_returnsJson400() {
    SoftAssertions soft = new SoftAssertions();
    for (String path : List.of("/v1/customers/%ZZ/consent", "/v1/batch%", "/v1/customers/x/consent?%G1")) {
      FuzzCase c = new FuzzCase("finding", FuzzCase.Target.OTHER, "GET", path,
          FuzzCases.headers("Authorization", "Bearer " + TestSupport.ADMIN), new byte[0], FuzzCase.Expect.status(400),
          true);

      Answer a = client.answer(c);

      soft.assertThat(a.status()).as(path).isEqualTo(400);
      soft.assertThat(a.header("Content-Type")).as(path + ": " + text(a)).startsWith("application/json");
    }
    soft.assertAll();
  }

  @Test
  void ingest_keyOf4097NonAsciiCharacters_isOverTheByteLimit_andSaysBytes() {
    String body = "{\"anonymousId\":\"x\",\"event\":\"e\",\"properties\":{\"" + "é".repeat(4_097) + "\":1}}";

    Answer a = client.answer(FuzzClient.post("/v1/track", null, utf8(body)));

    assertThat(a.status()).as(text(a)).isEqualTo(400);
    assertThat(text(a)).startsWith("{\"error\":\"key is longer than the 8192-byte limit (NUDGE_MAX_STRING_LENGTH)\"");
  }

  @Test
  void ingest_overlongUtf8_returns400() {
    SoftAssertions soft = new SoftAssertions();
    for (byte[] bad : Bytes.ACCEPTED_INVALID_UTF8) {
      byte[] body = Bytes.replace(utf8("{\"anonymousId\":\"visitorFUZZMARK1\",\"event\":\"e\"}"), utf8("FUZZMARK"), bad);

      Answer a = client.answer(FuzzClient.post("/v1/track", null, body));

      soft.assertThat(a.status()).as(java.util.HexFormat.of().formatHex(bad) + ": " + text(a)).isEqualTo(400);
    }
    soft.assertAll();
  }

  @Test
  void http_uriOrHeadersTooLong_returnJsonErrors() {
    FuzzCase longUri = FuzzClient.get("/v1/customers/" + "a".repeat(5_000) + "/consent");
    FuzzCase bigHeader = new FuzzCase("finding", FuzzCase.Target.INGEST, "POST", "/v1/track",
        FuzzCases.headers("Authorization", FuzzCases.basic(TestSupport.WRITE_KEY), "Cookie", "c=" + "x".repeat(9_000)),
        utf8("{\"anonymousId\":\"a\",\"event\":\"e\"}"), FuzzCase.Expect.status(431), false);
    SoftAssertions soft = new SoftAssertions();
    for (FuzzCase c : List.of(longUri, bigHeader)) {
      Answer a = client.answer(c);

      soft.assertThat(a.status()).as(c.path()).isIn(414, 431);
      soft.assertThat(a.header("Content-Type")).as(a.status() + " " + text(a)).startsWith("application/json");
    }
    soft.assertAll();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Answer a) {
    return new String(a.body(), StandardCharsets.UTF_8);
  }
}
