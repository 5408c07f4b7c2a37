package io.nudge.server.browser;

import com.sun.net.httpserver.HttpServer;
import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A Nudge server, a test shop page ({@code /sdk/shop.html}) served from another origin that loads the SDK
 * with one script tag, and Chromium: what the browser tests of the SDK share, with the admin API reads
 * they check the server's side with.
 */
final class ShopSite implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String ALL = "{analytics: true, personalization: true, proactiveChat: true, callback: true}";

  final ManualClock clock = new ManualClock();
  final ChromeDriver browser;
  final NudgeServer server;
  final TestSupport.Client client;
  /** The shop page's address. */
  final String page;
  private final HttpServer site;

  ShopSite(Map<String, String> settings) throws IOException {
    browser = Chromium.start();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site = http;
    String origin = "http://127.0.0.1:" + http.getAddress().getPort();
    Map<String, String> env = TestSupport.env(TestSupport.tempDir());
    env.put("NUDGE_ALLOWED_ORIGINS", origin);
    env.putAll(settings);
    server = TestSupport.startServer(env, clock);
    client = TestSupport.client(server);
    String html;
    try (InputStream in = getClass().getResourceAsStream("/sdk/shop.html")) {
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{{nudge}}", "http://127.0.0.1:" + server.port());
    }
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    http.createContext("/", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    http.start();
    page = origin + "/shop";
  }

  @Override
  public void close() {
    browser.quit();
    site.stop(0);
    server.close();
  }

  /** The visitor's anonymousId, once the SDK loaded. */
  String visitor() {
    return new WebDriverWait(browser, WAIT).until(b -> {
      Object id = browser.executeScript("return window.nudge && window.nudge.loaded ? window.nudge.anonymousId() : null");
      return id instanceof String s ? s : null;
    });
  }

  String awaitExport(String visitor, String containing) {
    return new WebDriverWait(browser, WAIT).withMessage("the export never contained " + containing).until(b -> {
      var r = client.get("/v1/customers/" + visitor + "/export", TestSupport.ADMIN);
      return r.statusCode() == 200 && r.body().contains(containing) ? r.body() : null;
    });
  }

  /** The id of the engagement this rule sent the visitor. */
  String awaitSent(String visitor, String rule) {
    return awaitDecision(visitor, rule, "sent").getString("engagementId");
  }

  /** The visitor's first decision of {@code rule} with this outcome ({@code sent}, {@code suppressed}). */
  JsonObject awaitDecision(String visitor, String rule, String outcome) {
    return new WebDriverWait(browser, WAIT).withMessage(rule + " never " + outcome).until(b -> {
      var r = client.get("/v1/customers/" + visitor + "/decisions", TestSupport.ADMIN);
      if (r.statusCode() != 200) {
        return null;
      }
      for (Object o : new JsonObject(r.body()).getJsonArray("decisions")) {
        JsonObject d = (JsonObject) o;
        if (rule.equals(d.getString("rule")) && outcome.equals(d.getString("outcome"))) {
          return d;
        }
      }
      return null;
    });
  }

  List<String> awaitOutcomes(String visitor, String engagement, int count) {
    return new WebDriverWait(browser, WAIT).withMessage("outcomes of " + engagement).until(b -> {
      var r = client.get("/v1/customers/" + visitor + "/export", TestSupport.ADMIN);
      if (r.statusCode() != 200) {
        return null;
      }
      for (Object o : new JsonObject(r.body()).getJsonArray("decisions")) {
        JsonObject d = (JsonObject) o;
        if (engagement.equals(d.getString("engagementId"))) {
          List<String> outcomes = new ArrayList<>();
          JsonArray list = d.getJsonArray("outcomes", new JsonArray());
          list.forEach(x -> outcomes.add(((JsonObject) x).getString("outcome")));
          return outcomes.size() >= count ? outcomes : null;
        }
      }
      return null;
    });
  }
}
