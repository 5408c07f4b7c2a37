package io.nudge.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** An operator uses the dashboard under /admin/ in Chromium against a real server. */
final class DashboardBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private NudgeServer server;
  private ChromeDriver browser;
  private ManualClock clock;
  private TestSupport.Client client;
  private WebDriverWait wait;

  @BeforeEach
  void start() {
    browser = Chromium.start();
    clock = new ManualClock();
    server = TestSupport.startServer(TestSupport.env(TestSupport.tempDir()), clock);
    client = TestSupport.client(server);
    wait = new WebDriverWait(browser, WAIT);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void logIn_wrongTokenShowsTheError_rightTokenLandsOnLive_keptInSessionStorageOnly() {
    browser.get("http://127.0.0.1:" + server.port() + "/admin/");
    typeToken("not-the-token");
    wait.until(ExpectedConditions.textToBe(By.id("login-error"), "unknown bearer token"));

    typeToken(TestSupport.ADMIN);

    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-live")));
    assertThat(browser.getCurrentUrl()).endsWith("/admin/#live");
    assertThat(browser.executeScript("return sessionStorage.getItem('nudge.adminToken')")).isEqualTo(TestSupport.ADMIN);
    assertThat(browser.executeScript("return localStorage.length")).isEqualTo(0L);
    assertThat(browser.executeScript("return document.cookie")).isEqualTo("");
    assertThat(browser.manage().getCookies()).isEmpty();
  }

  @Test
  void live_showsADecisionMadeWhileItIsOpen() {
    logIn();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "Connected"));

    cancelIntent("live-visitor", "/account");

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-decisions"), "live-visitor"));
    String row = browser.findElement(By.cssSelector("#live-decisions tr")).getText();
    assertThat(row).contains("live-visitor", "cancel-intent", "callback", "sent");
    wait.until(d -> !browser.findElement(By.id("live-queued")).getText().equals("–"));
  }

  @Test
  void rules_listsTheDefaultFilesWithCounts_andABrokenUploadShowsItsLine() {
    cancelIntent("rules-visitor", "/account");
    decided("rules-visitor");
    logIn();
    browser.get(browser.getCurrentUrl().replace("#live", "#rules"));

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rules-files"), "cancel-intent.dslr"));
    assertThat(browser.findElement(By.id("rules-files")).getText()).contains("checkout-hesitation.dslr");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rules-counts"), "cancel-intent 1 0"));

    String broken = "package rules;\n\nrule \"broken\"\nwhen\n  this is not a pattern (\nthen\nend\n";
    HttpResponse<String> validated = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            "http://127.0.0.1:" + server.port() + "/v1/rules/validate"))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("files", new JsonObject().put("broken.drl", broken)).encode())));
    int line = new JsonObject(validated.body()).getJsonArray("problems").getJsonObject(0).getInteger("line");

    browser.findElement(By.id("rules-name")).sendKeys("broken.drl");
    browser.executeScript("document.getElementById('rules-text').value = arguments[0]", broken);
    browser.findElement(By.id("rules-upload")).click();

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rules-result"),
        "broken.drl line " + line));
    assertThat(browser.findElement(By.id("rules-result")).getText()).contains("the rules were not deployed");
  }

  @Test
  void customers_findsByIdShowsTimelineAndDecisions_eraseAsksFirst_thenExportIs404() {
    cancelIntent("cust-visitor", "/account");
    decided("cust-visitor");
    logIn();
    browser.get(browser.getCurrentUrl().replace("#live", "#customers"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("customer-id"))).sendKeys("cust-visitor");
    browser.findElement(By.cssSelector("#customer-form button")).click();

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("customer-decisions"), "cancel-intent"));
    assertThat(browser.findElement(By.id("customer-timeline")).getText()).contains("Products Searched", "/account");
    assertThat(browser.findElement(By.id("customer-decisions")).getText()).contains("callback", "sent");

    browser.findElement(By.id("customer-erase")).click();
    wait.until(ExpectedConditions.alertIsPresent()).dismiss();
    wait.until(ExpectedConditions.textToBe(By.id("customer-result"), "Not erased."));
    assertThat(client.get("/v1/customers/cust-visitor/export", TestSupport.ADMIN).statusCode()).isEqualTo(200);

    browser.findElement(By.id("customer-erase")).click();
    assertThat(wait.until(ExpectedConditions.alertIsPresent()).getText()).contains("Erase customer cust-visitor");
    browser.switchTo().alert().accept();

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("customer-result"), "Erased cust-visitor."));
    assertThat(client.get("/v1/customers/cust-visitor/export", TestSupport.ADMIN).statusCode()).isEqualTo(404);
  }

  @Test
  void performanceAndJourneys_drawTheirChartsFromTheDataSent() {
    cancelIntent("chart-a", "/account/88123");
    cancelIntent("chart-b", "/account/99042?tab=plan");
    decided("chart-a");
    decided("chart-b");
    clock.advance(Duration.ofMinutes(1)); // the pages' default range ends now: the decisions lie before it
    logIn();

    browser.get(browser.getCurrentUrl().replace("#live", "#performance"));
    wait.until(d -> seriesOf("performance-chart").size() == 5);
    assertThat(seriesOf("performance-chart")).containsExactly("offered", "accepted", "declined", "ignored",
        "converted");
    assertThat(browser.findElements(By.cssSelector("#performance-chart svg"))).isNotEmpty();
    assertThat(browser.findElement(By.id("performance-rules")).getText()).contains("cancel-intent 2 0 0 0 0");

    browser.get(browser.getCurrentUrl().replace("#performance", "#journeys"));
    wait.until(d -> seriesOf("journeys-chart").equals(List.of("paths")));
    assertThat(browser.findElements(By.cssSelector("#journeys-chart svg"))).isNotEmpty();
    assertThat(browser.executeScript("return echarts.getInstanceByDom(document.getElementById('journeys-chart'))"
        + ".getOption().series[0].data.map(n => n.name)"))
        .isEqualTo(List.of("1 /account/:id", "2 engagement callback", "3 exit"));
    assertThat(browser.findElement(By.id("journeys-paths")).getText())
        .contains("2 /account/:id → engagement callback → exit");
  }

  @SuppressWarnings("unchecked")
  private List<String> seriesOf(String chart) {
    Object names = browser.executeScript("const c = echarts.getInstanceByDom(document.getElementById(arguments[0]));"
        + "return c ? c.getOption().series.map(s => s.name) : [];", chart);
    return (List<String>) names;
  }

  private void logIn() {
    browser.get("http://127.0.0.1:" + server.port() + "/admin/");
    typeToken(TestSupport.ADMIN);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-live")));
  }

  private void typeToken(String token) {
    var input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    input.clear();
    input.sendKeys(token);
    browser.findElement(By.cssSelector("#login-form button")).click();
  }

  private void cancelIntent(String visitor, String path) {
    HttpResponse<String> r = client.postSegment("/v1/batch", TestSupport.WRITE_KEY, """
        {"batch": [
          {"type": "page", "anonymousId": "%s", "properties": {"path": "%s"},
           "context": {"consent": {"categoryPreferences": {"callback": true}}}},
          {"type": "track", "anonymousId": "%s", "event": "Products Searched",
           "properties": {"query": "how to cancel my plan"}}
        ]}""".formatted(visitor, path, visitor));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private void decided(String visitor) {
    new WebDriverWait(browser, WAIT).until(d -> {
      HttpResponse<String> r = client.get("/v1/customers/" + visitor + "/decisions", TestSupport.ADMIN);
      return r.statusCode() == 200 && !new JsonObject(r.body()).getJsonArray("decisions").isEmpty();
    });
  }
}
