package io.nudge.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The browser the browser tests drive is a real one, reading pages from a real server. */
class ChromiumTest {
  private NudgeServer server;
  private ChromeDriver browser;

  @BeforeEach
  void start() {
    browser = Chromium.start();
    server = TestSupport.startServer();
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
  void readsAPageFromTheServer() {
    browser.get("http://127.0.0.1:" + server.port() + "/health/live");

    assertThat(browser.findElement(By.tagName("body")).getText()).contains("\"status\":\"up\"");
    assertThat(browser.executeScript("return navigator.userAgent")).asString().contains("HeadlessChrome");
  }
}
