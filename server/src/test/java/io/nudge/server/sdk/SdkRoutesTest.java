package io.nudge.server.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /sdk/nudge.js}: the script a site loads with one tag, small, cached, with the server's policy. */
class SdkRoutesTest {
  /** The documented limit (docs/sdk.md): the script a visitor downloads, gzipped. */
  private static final int MAX_GZIPPED_BYTES = 15 * 1024;

  private NudgeServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<byte[]> get(Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(TestSupport.client(server).uri("/sdk/nudge.js")).GET();
    headers.forEach(b::header);
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesTheScriptGzipped_underItsSizeLimit_withTheServersConsentPolicyInIt() throws Exception {
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_CONSENT_DEFAULT", "opt-out");
    env.put("NUDGE_PRIVACY_SIGNALS", "ignore");
    server = TestSupport.startServer(env, new ManualClock());

    HttpResponse<byte[]> r = get(Map.of("Accept-Encoding", "gzip"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(r.headers().firstValue("Vary")).hasValue("Accept-Encoding");
    assertThat(r.body().length).isLessThan(MAX_GZIPPED_BYTES);
    String script = gunzip(r.body());
    assertThat(script).contains("var SETTINGS = {\"consentDefault\":\"opt-out\",\"privacySignals\":\"ignore\",")
        .contains("\"fr\":{\"why.button\":\"Pourquoi est-ce que je vois ceci ?\"")
        .doesNotContain("/*SETTINGS*/");
  }

  @Test
  void servesItPlainWhenGzipIsNotAccepted_andAnswers304ToItsETag() throws Exception {
    server = TestSupport.startServer();

    HttpResponse<byte[]> plain = get(Map.of("Accept-Encoding", "gzip;q=0, identity"));
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    String script = new String(plain.body(), StandardCharsets.UTF_8);
    assertThat(script).contains("\"consentDefault\":\"opt-in\"").contains("\"privacySignals\":\"honour\"");
    String etag = plain.headers().firstValue("ETag").orElseThrow();
    assertThat(plain.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");

    HttpResponse<byte[]> again = get(Map.of("If-None-Match", etag));
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(get(Map.of("If-None-Match", "\"something-else\"")).statusCode()).isEqualTo(200);
  }

  @Test
  void readsAcceptEncodingAsBrowsersAndProxiesWriteIt() {
    assertThat(SdkRoutes.acceptsGzip("gzip, deflate, br")).isTrue();
    assertThat(SdkRoutes.acceptsGzip("br;q=1.0, gzip;q=0.8")).isTrue();
    assertThat(SdkRoutes.acceptsGzip("*")).isTrue();
    assertThat(SdkRoutes.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(SdkRoutes.acceptsGzip("identity")).isFalse();
    assertThat(SdkRoutes.acceptsGzip(null)).isFalse();
  }

  private static String gunzip(byte[] bytes) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
