package io.nudge.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser SDK in Chromium, loaded with one script tag by a page on another origin than Nudge (so CORS
 * is part of every test): what it sends, when it sends nothing, and how it shows the visitor's engagements.
 */
final class SdkBrowserTest {
  private static final Duration WAIT = ShopSite.WAIT;
  private static final String ALL = ShopSite.ALL;

  private ShopSite shop;
  private ChromeDriver browser;
  private ManualClock clock;
  private TestSupport.Client client;
  private String page;

  private void start(Map<String, String> settings) throws IOException {
    shop = new ShopSite(settings);
    browser = shop.browser;
    clock = shop.clock;
    client = shop.client;
    page = shop.page;
  }

  @AfterEach
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  @Test
  void underOptIn_nothingIsSentBeforeConsent_andThePageViewIsSentOnceTheVisitorConsents() throws Exception {
    start(Map.of());
    browser.get(page);
    String visitor = visitor();
    browser.executeScript("window.nudge.track('Early Event', {})");
    Thread.sleep(1500); // past the SDK's one-second batching: a batch would have gone by now
    assertThat(client.get("/v1/customers/" + visitor, TestSupport.ADMIN).statusCode()).isEqualTo(404);

    browser.executeScript("window.nudge.consent(" + ALL + ")");

    String export = awaitExport(visitor, "/shop");
    assertThat(export).contains("Early Event");
    JsonObject consent = new JsonObject(client.get("/v1/customers/" + visitor + "/consent", TestSupport.ADMIN).body());
    assertThat(consent.encode()).contains("\"proactive_chat\"").contains("granted");
  }

  @Test
  void sendsSinglePageNavigation_markedClicks_andFormErrors() throws Exception {
    start(Map.of());
    browser.get(page);
    String visitor = visitor();
    browser.executeScript("window.nudge.consent(" + ALL + ")");

    browser.executeScript("history.pushState({}, '', '/shop/step-2')");
    browser.findElement(By.id("promo")).click();
    browser.findElement(By.id("send")).click(); // the e-mail field is required and empty

    String export = awaitExport(visitor, "Form Error");
    assertThat(export).contains("/shop/step-2").contains("Promo Clicked").contains("winter")
        .contains("\"form\":\"signup\"").contains("\"field\":\"email\"");
  }

  @Test
  void aTipWaitsWhileTheVisitorTypes_isAnnounced_andEscapeRecordsItIgnored() throws Exception {
    start(Map.of());
    browser.get(page);
    String visitor = visitor();
    browser.executeScript("window.nudge.consent(" + ALL + ")");
    WebElement notes = browser.findElement(By.id("notes"));
    notes.click();
    notes.sendKeys("typing a long question");

    browser.executeScript("for (var i = 0; i < 3; i++) window.nudge.track('Form Error', {form: 'f', field: 'x'})");
    String engagement = awaitSent(visitor, "form-struggle");
    Thread.sleep(1500);
    assertThat(browser.findElements(By.cssSelector(".nudge-card"))).as("nothing interrupts typing").isEmpty();

    browser.findElement(By.id("heading")).click(); // focus leaves the field
    WebElement card = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".nudge-card.nudge-tip")));
    assertThat(card.getAttribute("role")).isEqualTo("region");
    String title = browser.findElement(By.id(card.getAttribute("aria-labelledby"))).getText();
    assertThat(title).isEqualTo("Having trouble with this form?");
    assertThat(browser.findElement(By.cssSelector("[aria-live=polite]")).getAttribute("textContent"))
        .contains("Having trouble with this form?");

    browser.findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);

    new WebDriverWait(browser, WAIT).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".nudge-card"), 0));
    assertThat(awaitOutcomes(visitor, engagement, 2)).containsExactly("shown", "ignored");
  }

  @Test
  void aChatInvitationsAcceptHandsOverToTheSite_andACallbackOfferCanBeDeclined() throws Exception {
    start(Map.of());
    browser.get(page);
    String visitor = visitor();
    browser.executeScript("window.nudge.consent(" + ALL + ")");

    browser.executeScript("window.nudge.track('Products Searched', {query: 'how to cancel'})");
    WebElement offer = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".nudge-card.nudge-callback")));
    assertThat(offer.getAttribute("role")).isEqualTo("dialog");
    offer.findElement(By.xpath(".//button[normalize-space()='No thanks']")).click();
    String callback = awaitSent(visitor, "cancel-intent");
    assertThat(awaitOutcomes(visitor, callback, 2)).containsExactly("shown", "declined");

    browser.executeScript("history.pushState({}, '', '/checkout');"
        + "window.nudge.track('Product Added', {product_id: 'lamp', price: 150, quantity: 1})");
    awaitExport(visitor, "Product Added");
    clock.advance(Duration.ofSeconds(31)); // idle at checkout with a full cart
    WebElement invitation = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".nudge-card.nudge-proactive_chat")));
    invitation.findElement(By.xpath(".//button[normalize-space()='Accept']")).click();

    String chat = awaitSent(visitor, "checkout-hesitation");
    assertThat(browser.executeScript("return window.acceptedChat")).isEqualTo(chat);
    assertThat(awaitOutcomes(visitor, chat, 2)).containsExactly("shown", "accepted");
  }

  @Test
  void globalPrivacyControl_deniesAnalyticsAndPersonalization_underTheServersPolicy() throws Exception {
    start(Map.of("NUDGE_CONSENT_DEFAULT", "opt-out"));
    browser.get(page + "?gpc=1");
    String visitor = visitor();

    assertThat(browser.executeScript("return [window.nudge.consentOf('analytics'), "
        + "window.nudge.consentOf('personalization'), window.nudge.consentOf('callback')]"))
        .isEqualTo(List.of(false, false, true));
    browser.executeScript("window.nudge.track('Products Searched', {query: 'cancel my plan'})");

    // served from memory: the callback offer still comes, and nothing about the visitor is stored
    new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".nudge-card.nudge-callback")));
    assertThat(client.get("/v1/customers/" + visitor, TestSupport.ADMIN).statusCode()).isEqualTo(404);
  }

  private String visitor() {
    return shop.visitor();
  }

  private String awaitExport(String visitor, String containing) {
    return shop.awaitExport(visitor, containing);
  }

  private String awaitSent(String visitor, String rule) {
    return shop.awaitSent(visitor, rule);
  }

  private List<String> awaitOutcomes(String visitor, String engagement, int count) {
    return shop.awaitOutcomes(visitor, engagement, count);
  }
}
