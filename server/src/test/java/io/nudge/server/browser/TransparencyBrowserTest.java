package io.nudge.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the visitor sees and can do about Nudge in Chromium: "Why am I seeing this?" on an engagement,
 * "Don't show me offers like this", and the preference centre with its switches and "forget me".
 * Screenshots for docs/privacy.md are written to target/screenshots/.
 */
final class TransparencyBrowserTest {
  private static final Duration WAIT = ShopSite.WAIT;

  private ShopSite shop;
  private ChromeDriver browser;

  @AfterEach
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  private String startAndConsent() throws IOException {
    shop = new ShopSite(Map.of());
    browser = shop.browser;
    browser.get(shop.page);
    String visitor = shop.visitor();
    browser.executeScript("window.nudge.consent(" + ShopSite.ALL + ")");
    shop.awaitExport(visitor, "/shop");
    return visitor;
  }

  @Test
  void whyThisOnATip_showsTheRulesReasonAndData_andOptingOutStopsTipsForThatVisitor() throws Exception {
    String visitor = startAndConsent();

    browser.executeScript("history.pushState({}, '', '/delivery/options')");
    WebElement tip = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".nudge-card.nudge-tip")));
    WebElement why = tip.findElement(By.cssSelector(".nudge-why-toggle"));
    assertThat(why.getText()).isEqualTo("Why am I seeing this?");
    assertThat(why.getAttribute("aria-expanded")).isEqualTo("false");
    why.click();

    WebElement panel = browser.findElement(By.id(why.getAttribute("aria-controls")));
    assertThat(why.getAttribute("aria-expanded")).isEqualTo("true");
    assertThat(panel.isDisplayed()).isTrue();
    assertThat(panel.findElement(By.cssSelector(".nudge-why-reason")).getText()).isEqualTo("You are reading about delivery");
    assertThat(panel.findElement(By.cssSelector(".nudge-why-data")).getText())
        .isEqualTo("What we used: the page you are on");
    assertThat(panel.getText()).doesNotContain(visitor);
    screenshot("why-this.png");
    String tipId = shop.awaitSent(visitor, "tip-delivery");

    panel.findElement(By.xpath(".//button[normalize-space()=\"Don't show me offers like this\"]")).click();

    new WebDriverWait(browser, WAIT).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".nudge-card"), 0));
    assertThat(shop.awaitOutcomes(visitor, tipId, 2)).containsExactly("shown", "declined");
    JsonObject personalization = awaitConsent(visitor, "personalization", "visitor");
    assertThat(personalization.getBoolean("granted")).isFalse();
    assertThat(browser.executeScript("return window.nudge.consentOf('personalization')")).isEqualTo(false);

    browser.executeScript("history.pushState({}, '', '/returns')"); // the returns tip's page
    JsonObject next = shop.awaitDecision(visitor, "tip-returns", "suppressed");
    assertThat(next.getString("reason")).isEqualTo("consent:personalization");
    Thread.sleep(1000);
    assertThat(browser.findElements(By.cssSelector(".nudge-card"))).as("no more tips").isEmpty();
  }

  @Test
  void preferenceCentre_turningOffCallbacks_suppressesTheNextCallbackOffer() throws Exception {
    String visitor = startAndConsent();
    String shopWindow = browser.getWindowHandle();

    openPreferenceCentre(shopWindow);
    WebElement callback = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.elementToBeClickable(By.cssSelector("[role=switch][data-purpose=callback]")));
    assertThat(callback.getAttribute("aria-checked")).isEqualTo("true");
    assertThat(browser.findElement(By.id("held-list")).getText()).contains("Pages you viewed recently: /shop");
    callback.click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.attributeToBe(
        By.cssSelector("[role=switch][data-purpose=callback]"), "aria-checked", "false"));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("Saved: Call-back offers is now Off.");
    screenshot("preference-centre.png");
    assertThat(awaitConsent(visitor, "callback", "visitor").getBoolean("granted")).isFalse();

    browser.switchTo().window(shopWindow);
    new WebDriverWait(browser, WAIT).until(b -> Boolean.FALSE.equals(
        browser.executeScript("return window.nudge.consentOf('callback')"))); // the centre told the SDK
    browser.executeScript("window.nudge.track('Products Searched', {query: 'how to cancel'})");

    JsonObject offer = shop.awaitDecision(visitor, "cancel-intent", "suppressed");
    assertThat(offer.getString("reason")).isEqualTo("consent:callback");
    assertThat(browser.findElements(By.cssSelector(".nudge-card"))).isEmpty();
  }

  @Test
  void preferenceCentre_forgetMe_erasesTheVisitor_andSaysSo() throws Exception {
    String visitor = startAndConsent();
    String shopWindow = browser.getWindowHandle();
    openPreferenceCentre(shopWindow);

    new WebDriverWait(browser, WAIT).until(ExpectedConditions.elementToBeClickable(By.id("forget"))).click();
    WebElement confirm = browser.findElement(By.id("confirm"));
    assertThat(confirm.getAttribute("role")).isEqualTo("alertdialog");
    assertThat(confirm.getText()).contains("Erase all your data now? This cannot be undone.");
    browser.findElement(By.id("confirm-yes")).click();

    WebElement done = new WebDriverWait(browser, WAIT).until(
        ExpectedConditions.visibilityOfElementLocated(By.id("done-text")));
    assertThat(done.getText()).startsWith("Done. Everything Nudge held about you was erased on ");
    screenshot("forget-me.png");
    assertThat(shop.client.get("/v1/customers/" + visitor + "/export", TestSupport.ADMIN).statusCode())
        .isEqualTo(404);

    browser.switchTo().window(shopWindow);
    String fresh = new WebDriverWait(browser, WAIT).until(b -> {
      Object id = browser.executeScript("return window.nudge.anonymousId()");
      return id instanceof String s && !s.equals(visitor) ? s : null;
    });
    assertThat(fresh).isNotEqualTo(visitor); // the old id is tombstoned: the SDK starts afresh
  }

  @Test
  void preferenceCentre_withAnotherVisitorsToken_showsNothingOfThem() throws Exception {
    String visitor = startAndConsent();
    String token = new JsonObject(shop.client.send(java.net.http.HttpRequest.newBuilder(
            shop.client.uri("/v1/visitor/token"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject()
            .put("writeKey", TestSupport.WRITE_KEY).put("anonymousId", "someone-else").encode()))).body())
        .getString("token");

    browser.get("http://127.0.0.1:" + shop.server.port() + "/privacy/#a=" + visitor + "&t=" + token);

    WebElement status = new WebDriverWait(browser, WAIT).until(b -> {
      WebElement s = browser.findElement(By.id("status"));
      return s.getText().startsWith("Your data could not be loaded") ? s : null;
    });
    assertThat(status.getText()).isEqualTo("Your data could not be loaded: visitor token does not match anonymousId");
    assertThat(browser.findElement(By.id("choices")).isDisplayed()).isFalse();
    assertThat(browser.getPageSource()).doesNotContain("/shop");
    assertThat(browser.getCurrentUrl()).doesNotContain("#a="); // the credential left the address bar
  }

  /** Clicks the shop's "Privacy choices" link and switches to the preference centre's tab. */
  private void openPreferenceCentre(String shopWindow) {
    WebElement link = browser.findElement(By.id("privacy-link"));
    new WebDriverWait(browser, WAIT).until(b -> link.getAttribute("href").contains("/privacy/#a="));
    link.click();
    new WebDriverWait(browser, WAIT).until(b -> b.getWindowHandles().size() == 2);
    Set<String> handles = browser.getWindowHandles();
    handles.remove(shopWindow);
    browser.switchTo().window(handles.iterator().next());
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("choices")));
    assertThat(browser.getCurrentUrl()).endsWith("/privacy/");
  }

  private JsonObject awaitConsent(String visitor, String purpose, String source) {
    return new WebDriverWait(browser, WAIT).withMessage(purpose + " never set by " + source).until(b -> {
      var r = shop.client.get("/v1/customers/" + visitor + "/consent", TestSupport.ADMIN);
      if (r.statusCode() != 200) {
        return null;
      }
      JsonObject c = new JsonObject(r.body()).getJsonObject("consent").getJsonObject(purpose);
      return c != null && source.equals(c.getString("source")) ? c : null;
    });
  }

  private void screenshot(String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
