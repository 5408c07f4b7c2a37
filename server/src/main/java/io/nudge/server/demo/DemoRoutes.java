package io.nudge.server.demo;

import io.nudge.engine.Decision;
import io.nudge.engine.NudgeEngine;
import io.nudge.server.delivery.EngagementJson;
import io.nudge.server.delivery.VisitorTokens;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.Failures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo shop under {@code /demo/} ({@code NUDGE_DEMO=on}): a few static pages that load the browser SDK
 * with the server's write key, so that browsing them shows the default rules' engagements, and {@code GET
 * /demo/api/decisions}, which shows the visitor their own decisions so the shop can say why nothing
 * appeared. Only mounted when demo mode is on; otherwise {@code /demo/} is an unknown route like any other.
 *
 * <p>The pages are read from the class path once, at start-up: a missing one is a packaging fault and
 * stops the server, and no request ever waits on I/O.
 */
public final class DemoRoutes {
  /** Decisions the demo's panel shows, newest first. */
  static final int DECISIONS_SHOWN = 20;

  private static final String ROOT = "/demo/";
  private static final String WRITE_KEY_MARK = "{{writeKey}}";
  /** The shop's page paths (below {@code /demo/}) and the file each is. */
  private static final Map<String, String> PAGES = Map.of(
      "", "index.html",
      "cart", "cart.html",
      "checkout", "checkout.html",
      "help", "help.html",
      "search", "search.html");
  private static final List<String> ASSETS = List.of("shop.css", "shop.js", "products.js");
  /** A product page's path below {@code /demo/}: the page reads which product from it. */
  private static final Pattern PRODUCT = Pattern.compile("products/[a-z0-9-]{1,40}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8");

  private final NudgeEngine engine;
  private final VisitorTokens tokens;
  private final Map<String, Page> files;
  private final Page productPage;

  private DemoRoutes(NudgeEngine engine, VisitorTokens tokens, Map<String, Page> files, Page productPage) {
    this.engine = engine;
    this.tokens = tokens;
    this.files = files;
    this.productPage = productPage;
  }

  /** A file served as it is, with its content type. */
  private record Page(String contentType, byte[] body) {}

  /**
   * Reads the pages and fills in the write key they send events with.
   *
   * @param writeKey one of the server's write keys; write keys are public, as they are in every page
   *     that sends events
   * @throws IllegalStateException when a page is missing from the class path
   */
  public static DemoRoutes create(NudgeEngine engine, VisitorTokens tokens, String writeKey) {
    Map<String, Page> files = new LinkedHashMap<>();
    String key = escapeHtml(writeKey); // it goes into an HTML attribute
    PAGES.forEach((path, file) -> files.put(path, page(file, key)));
    for (String asset : ASSETS) {
      files.put(asset, page(asset, key));
    }
    return new DemoRoutes(engine, tokens, Map.copyOf(files), page("product.html", key));
  }

  public void mount(Router router) {
    router.get("/demo").handler(ctx -> {
      if (ctx.request().path().equals("/demo")) {
        ctx.redirect(ROOT);
      } else {
        ctx.next(); // Vert.x matches "/demo/" here too
      }
    });
    router.get("/demo/api/decisions").handler(this::decisions);
    router.get("/demo/*").handler(this::file);
  }

  private void file(RoutingContext ctx) {
    String path = ctx.request().path().substring(ROOT.length());
    Page page = files.get(path);
    if (page == null && PRODUCT.matcher(path).matches()) {
      page = productPage;
    }
    if (page == null) {
      ApiError.notFound("no demo page at " + ctx.request().path()).send(ctx);
      return;
    }
    ctx.response()
        .putHeader("Content-Type", page.contentType())
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(io.vertx.core.buffer.Buffer.buffer(page.body()));
  }

  /**
   * The visitor's own decisions, newest first, each with the engagement's fields and journey context:
   * what the chat system would get on its stream, and the reason of each suppression. The visitor token
   * guards it as it guards the visitor stream.
   */
  private void decisions(RoutingContext ctx) {
    String anonymousId;
    String token;
    try {
      anonymousId = ctx.request().getParam("anonymousId");
      token = ctx.request().getParam("token");
    } catch (IllegalArgumentException e) {
      ApiError.badRequest("the request's path or query is malformed").send(ctx);
      return;
    }
    if (token == null || token.isEmpty()) {
      ApiError.unauthorized("missing visitor token: get one from POST /v1/visitor/token and pass it as ?token=")
          .send(ctx);
      return;
    }
    if (anonymousId == null || anonymousId.isEmpty()) {
      ApiError.badField("anonymousId", "anonymousId query parameter is required").send(ctx);
      return;
    }
    if (!tokens.matches(anonymousId, token)) {
      ApiError.forbidden("visitor token does not match anonymousId").send(ctx);
      return;
    }
    ctx.vertx().executeBlocking(() -> decisionsOf(anonymousId), false)
        .onSuccess(json -> ctx.response().putHeader("Cache-Control", "no-store")
            .putHeader("Content-Type", "application/json").end(json.encode()))
        .onFailure(t -> Failures.send(ctx, t));
  }

  private JsonObject decisionsOf(String anonymousId) {
    JsonArray out = new JsonArray();
    engine.customerOf(anonymousId).ifPresent(customerId -> {
      List<Decision> all = engine.decisions(customerId);
      for (int i = all.size() - 1; i >= 0 && out.size() < DECISIONS_SHOWN; i--) {
        out.add(json(all.get(i)));
      }
    });
    return new JsonObject().put("anonymousId", anonymousId).put("decisions", out);
  }

  private static JsonObject json(Decision d) {
    JsonObject context = EngagementJson.toJson(d.engagement()).getJsonObject("context");
    context.remove("matched"); // the rule engine's fact lines: for the decision log, not for the visitor
    return new JsonObject()
        .put("engagementId", d.engagement().id())
        .put("rule", d.engagement().rule())
        .put("type", d.engagement().type().id())
        .put("decidedAt", d.decidedAt().toString())
        .put("outcome", d.outcome().id())
        .put("reason", d.reason())
        .put("fields", new JsonObject(new LinkedHashMap<>(d.engagement().fields())))
        .put("context", context);
  }

  private static Page page(String file, String writeKey) {
    String resource = "demo/" + file;
    try (InputStream in = DemoRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the demo page " + resource + " is missing from the class path");
      }
      byte[] bytes = in.readAllBytes();
      String extension = file.substring(file.lastIndexOf('.') + 1);
      if (extension.equals("html")) {
        bytes = new String(bytes, StandardCharsets.UTF_8).replace(WRITE_KEY_MARK, writeKey)
            .getBytes(StandardCharsets.UTF_8);
      }
      return new Page(TYPES.get(extension), bytes);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the demo page " + resource + ": " + e.getMessage(), e);
    }
  }

  /** Write keys are any string: one with a quote must not break out of the attribute it is put in. */
  static String escapeHtml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
