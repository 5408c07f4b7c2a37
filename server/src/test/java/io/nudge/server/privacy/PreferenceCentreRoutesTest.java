package io.nudge.server.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.nudge.server.config.ConfigException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The preference centre page: in the visitor's language, with the operator's words, frameable by the site. */
final class PreferenceCentreRoutesTest {
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

  private static HttpResponse<String> page(TestSupport.Client http, String path, String acceptLanguage) {
    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(path)).GET();
    if (acceptLanguage != null) {
      b.header("Accept-Language", acceptLanguage);
    }
    return http.send(b);
  }

  @Test
  void page_inEnglishByDefault_withItsTextsAsDataNotMarkup() {
    TestSupport.Client http = start();

    HttpResponse<String> r = page(http, "/privacy/", null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(r.headers().firstValue("Content-Language")).hasValue("en");
    assertThat(r.headers().firstValue("Vary")).hasValue("Accept-Language");
    assertThat(r.body()).contains("<html lang=\"en\">").contains("<title>Your privacy choices</title>")
        .contains("\"forget\":\"Forget me\"");
  }

  @Test
  void page_inFrench_whenTheBrowserPrefersIt() {
    TestSupport.Client http = start();

    HttpResponse<String> r = page(http, "/privacy/", "de-DE,de;q=0.9,fr;q=0.8,en;q=0.5");

    assertThat(r.headers().firstValue("Content-Language")).hasValue("fr");
    assertThat(r.body()).contains("<html lang=\"fr\">").contains("<title>Vos choix de confidentialité</title>");
    assertThat(page(http, "/privacy/?lang=fr", "en").body()).contains("<html lang=\"fr\">");
    assertThat(page(http, "/privacy/?lang=xx", "fr;q=0, en").body()).contains("<html lang=\"en\">");
  }

  @Test
  void operatorTexts_overrideTheShippedOnes_andAddALanguageThatFallsBackToEnglish() throws Exception {
    Path texts = TestSupport.tempDir();
    Files.writeString(texts.resolve("en.json"), "{\"title\": \"Your choices at <Shop>\"}");
    Files.writeString(texts.resolve("de.json"), "{\"title\": \"Ihre Datenschutz-Einstellungen\"}");
    TestSupport.Client http = start("NUDGE_PRIVACY_TEXTS", texts.toString());

    String english = page(http, "/privacy/", "en").body();
    String german = page(http, "/privacy/", "de").body();

    assertThat(english).contains("<title>Your choices at &lt;Shop&gt;</title>")
        .contains("\"title\":\"Your choices at \\u003cShop\\u003e\"").doesNotContain("<Shop>");
    assertThat(german).contains("<html lang=\"de\">").contains("<title>Ihre Datenschutz-Einstellungen</title>")
        .contains("\"forget\":\"Forget me\"");
    assertThat(http.get("/sdk/nudge.js", null).body()).contains("\"de\":{\"why.button\":\"Why am I seeing this?\"");
  }

  @Test
  void operatorTexts_notJson_stopStartUpNamingTheSettingAndTheFile() throws Exception {
    Path texts = TestSupport.tempDir();
    Files.writeString(texts.resolve("es.json"), "{\"title\": ");
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_PRIVACY_TEXTS", texts.toString());

    assertThatThrownBy(() -> TestSupport.startServer(env, new ManualClock()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("NUDGE_PRIVACY_TEXTS file " + texts.resolve("es.json") + " is not a JSON object");
  }

  @Test
  void page_mayBeFramedByTheSiteOriginsOnly_andRunsOnlyItsOwnScript() {
    TestSupport.Client http = start("NUDGE_ALLOWED_ORIGINS", "https://shop.example");

    String policy = page(http, "/privacy/", null).headers().firstValue("Content-Security-Policy").orElseThrow();

    assertThat(policy).contains("frame-ancestors 'self' https://shop.example").contains("script-src 'self';")
        .contains("connect-src 'self'");
    assertThat(page(http, "/privacy/app.js", null).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
  }

  @Test
  void privacyWithoutSlash_redirects_andAnUnknownFile_is404() {
    TestSupport.Client http = start();

    assertThat(page(http, "/privacy", null).statusCode()).isEqualTo(302);
    HttpResponse<String> missing = page(http, "/privacy/secrets.json", null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("{\"error\":\"no preference centre file at /privacy/secrets.json\"}");
  }

  @Test
  void acceptLanguage_weightsAndOrder_pickTheLanguage() {
    PrivacyTexts texts = PrivacyTexts.load(null);

    assertThat(texts.choose("fr-CA")).isEqualTo("fr");
    assertThat(texts.choose("en;q=0.4, fr;q=0.6")).isEqualTo("fr");
    assertThat(texts.choose("fr, en")).isEqualTo("fr");
    assertThat(texts.choose("ja, zh")).isEqualTo("en");
    assertThat(texts.choose("fr;q=abc")).isEqualTo("en");
    assertThat(texts.choose(null)).isEqualTo("en");
  }
}
