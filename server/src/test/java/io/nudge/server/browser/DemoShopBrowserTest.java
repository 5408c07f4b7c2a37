package io.nudge.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A visitor browses the demo shop in Chromium with the default rules and sees each default engagement:
 * the form-struggle tip, the cancel-intent callback offer, and the checkout-hesitation chat invitation,
 * whose Accept opens the shop's own chat widget with the journey context.
 *
 * <p>The policy is the tests' one (no quiet hours, no queue hours): every engagement can be sent. A chat
 * that was accepted stops other engagements for a while (activeChat), so the chat comes last.
 */
final class DemoShopBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private NudgeServer server;
  private ChromeDriver browser;
  private ManualClock clock;
  private TestSupport.Client client;
  private String base;

  @BeforeEach
  void start() {
    browser = Chromium.start();
    clock = new ManualClock();
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_DEMO", "on");
    server = TestSupport.startServer(env, clock);
    client = TestSupport.client(server);
    base = "http://127.0.0.1:" + server.port();
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
  void visitor_seesEveryDefaultEngagement_andTheChatHandOver() {
    open("/demo/");
    click(By.id("consent-accept"));
    String visitor = awaitVisitor();
    awaitJourney(visitor, "consent given", j -> "granted".equals(consentOf(visitor).getString("proactive_chat")));

    // three bad submits of the help form: the form-struggle tip
    open("/demo/help");
    visible(By.name("name")).sendKeys("Ada");
    visible(By.name("orderDate")).sendKeys("2026-11-23");
    visible(By.name("phone")).sendKeys("020 7946 0958");
    visible(By.name("question")).sendKeys("Where is my order?");
    for (int i = 0; i < 3; i++) {
      click(By.cssSelector("#help-form button[type=submit]"));
    }
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBe(By.id("help-status"),
        "Please check order date, phone."));
    awaitText("Having trouble with this form?");

    // a search for "cancel": the cancel-intent callback offer
    WebElement search = visible(By.id("q"));
    search.sendKeys("how do I cancel my order");
    search.submit();
    awaitText("Thinking of cancelling? We can call you back to talk through your options.");

    // a full cart, a pause at checkout: the checkout-hesitation chat invitation
    open("/demo/products/brass-lamp");
    click(By.id("add-to-cart"));
    open("/demo/cart");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBe(By.id("cart-total"), "Total €120.00"));
    click(By.id("go-to-checkout"));
    awaitJourney(visitor, "at checkout with a full cart", j -> "/demo/checkout".equals(j.getString("currentPath"))
        && j.getJsonObject("cart").getDouble("value") >= 100);
    clock.advance(Duration.ofSeconds(31));
    awaitText("Need a hand with your order? An adviser can help you finish checking out.");
    click(By.xpath("//button[normalize-space()='Accept']"));

    WebElement chat = new WebDriverWait(browser, WAIT)
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("demo-chat")));
    assertThat(chat.getText()).contains("This is the demo shop's own chat widget")
        .contains("An adviser will join you shortly.");
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("chat-context"), "You have spent a while on checkout with items in your cart"));
    assertThat(browser.findElement(By.id("chat-context")).getText())
        .contains("Current page\n/demo/checkout")
        .contains("1 items, €120.00: Brass desk lamp")
        .contains("Queue\nsales");
  }

  @Test
  void visitor_whoDeclinedConsent_isOfferedNothing_andNudgeKeepsNothingAboutThem() {
    open("/demo/");
    click(By.id("consent-decline"));
    String visitor = awaitVisitor();

    WebElement search = visible(By.id("q"));
    search.sendKeys("cancel");
    search.submit();
    // the submit loads the search page: flush what its SDK tracked once that SDK is there
    new WebDriverWait(browser, WAIT).until(b -> (Boolean) browser.executeScript(
        "return location.search.indexOf('q=') >= 0 && !!window.nudge && typeof window.nudge.flush === 'function'"));
    browser.executeScript("window.nudge.flush()");
    click(By.cssSelector(".scenes-toggle"));

    assertThat(new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(
        By.id("no-decision"))).getText()).contains("You declined in the consent banner");
    // what the SDK sends after a refusal is the refusal itself, which Nudge keeps in memory only
    assertThat(client.get("/v1/customers/" + visitor, TestSupport.ADMIN).statusCode()).isEqualTo(404);
    assertThat(browser.findElements(By.cssSelector(".nudge-card"))).isEmpty();
    assertThat((Boolean) browser.executeScript("return window.nudge.consentOf('callback')")).isFalse();
  }

  private void open(String path) {
    browser.get(base + path);
  }

  /** The element once it is shown: the demo's pages fill in parts of themselves after they load. */
  private WebElement visible(By by) {
    return new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private void click(By by) {
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
  }

  private void awaitText(String text) {
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//*[contains(normalize-space(.), \"" + text + "\") and not(*[contains(normalize-space(.), \""
            + text + "\")])]")));
  }

  /** The anonymousId the SDK made up for this browser. */
  private String awaitVisitor() {
    return new WebDriverWait(browser, WAIT).until(b -> {
      Object id = browser.executeScript(
          "var n = window.nudge; return n && typeof n.anonymousId === 'function' ? n.anonymousId() : null;");
      return id instanceof String s && !s.isEmpty() ? s : null;
    });
  }

  /** Waits until Nudge's own view of the visitor shows what the browser did: events arrive in batches. */
  private void awaitJourney(String visitor, String what, Predicate<JsonObject> done) {
    new WebDriverWait(browser, WAIT).withMessage("Nudge never saw the visitor " + what).until(b -> {
      HttpResponse<String> r = client.get("/v1/customers/" + visitor, TestSupport.ADMIN);
      if (r.statusCode() != 200) {
        return false;
      }
      JsonObject journey = new JsonObject(r.body()).getJsonObject("journey");
      return journey != null && done.test(journey);
    });
  }

  private JsonObject consentOf(String visitor) {
    HttpResponse<String> r = client.get("/v1/customers/" + visitor + "/consent", TestSupport.ADMIN);
    JsonObject out = new JsonObject();
    if (r.statusCode() == 200) {
      new JsonObject(r.body()).getJsonObject("consent").forEach(e ->
          out.put(e.getKey(), ((JsonObject) e.getValue()).getBoolean("granted") ? "granted" : "denied"));
    }
    return out;
  }
}
