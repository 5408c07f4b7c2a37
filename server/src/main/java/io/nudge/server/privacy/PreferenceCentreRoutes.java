package io.nudge.server.privacy;

import io.nudge.server.http.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The visitor's preference centre under {@code /privacy/}: one page, in the visitor's language
 * ({@code ?lang=} or {@code Accept-Language}), that shows what Nudge holds about them, their four
 * purposes as switches, a JSON download and "forget me". The page holds no data: it calls
 * {@link VisitorPrivacyRoutes} with the visitor credential the browser SDK puts in the link's fragment
 * ({@code #a=<anonymousId>&t=<token>}), which never reaches a server or a referrer.
 *
 * <p>Sites may frame it: {@code frame-ancestors} lists the site origins of {@code NUDGE_ALLOWED_ORIGINS}.
 */
public final class PreferenceCentreRoutes {
  static final String ROOT = "/privacy/";
  private static final String TEXTS_MARK = "{{texts}}";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8");

  private record File(String contentType, Buffer body) {}

  private final PrivacyTexts texts;
  private final String page;
  private final Map<String, File> assets;
  private final Map<String, Buffer> pages = new HashMap<>();
  private final String policy;

  private PreferenceCentreRoutes(PrivacyTexts texts, String page, Map<String, File> assets, String frameAncestors) {
    this.texts = texts;
    this.page = page;
    this.assets = assets;
    this.policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors " + frameAncestors;
    for (String language : texts.languages()) {
      pages.put(language, render(language));
    }
  }

  /**
   * @param frameAncestors the CSP source list of the pages that may frame the centre: {@code 'self'}
   *     and the site origins, or {@code *}
   * @throws IllegalStateException when a page file is missing from the class path
   */
  public static PreferenceCentreRoutes create(PrivacyTexts texts, String frameAncestors) {
    return new PreferenceCentreRoutes(texts, new String(read("privacy/index.html"), StandardCharsets.UTF_8),
        Map.of("app.js", asset("privacy/app.js"), "style.css", asset("privacy/style.css")), frameAncestors);
  }

  public void mount(Router router) {
    router.get("/privacy").handler(ctx -> {
      if (ctx.request().path().equals("/privacy")) {
        ctx.redirect(ROOT);
      } else {
        ctx.next();
      }
    });
    router.get("/privacy/*").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String rest = ctx.request().path().substring(ROOT.length());
    if (rest.isEmpty() || rest.equals("index.html")) {
      String wanted = ctx.request().getParam("lang");
      String language = wanted != null && texts.languages().contains(wanted)
          ? wanted : texts.choose(ctx.request().getHeader("Accept-Language"));
      headers(ctx, TYPES.get("html"))
          .putHeader("Content-Language", language)
          .putHeader("Vary", "Accept-Language")
          .end(pages.get(language));
      return;
    }
    File file = assets.get(rest);
    if (file == null) {
      ApiError.notFound("no preference centre file at " + ctx.request().path()).send(ctx);
      return;
    }
    headers(ctx, file.contentType()).end(file.body());
  }

  private io.vertx.core.http.HttpServerResponse headers(RoutingContext ctx, String contentType) {
    return ctx.response()
        .putHeader("Content-Type", contentType)
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", policy)
        .putHeader("Referrer-Policy", "no-referrer");
  }

  /** The page in one language: its texts as a JSON data block the script reads, never as markup. */
  private Buffer render(String language) {
    Map<String, String> words = texts.of(language);
    String json = new JsonObject(new HashMap<>(words)).encode()
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    String html = page.replace("{{lang}}", language)
        .replace("{{title}}", escapeHtml(words.get("title")))
        .replace("{{noCredential}}", escapeHtml(words.get("noCredential")))
        .replace(TEXTS_MARK, json);
    return Buffer.buffer(html.getBytes(StandardCharsets.UTF_8));
  }

  static String escapeHtml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  private static File asset(String resource) {
    String ext = resource.substring(resource.lastIndexOf('.') + 1);
    return new File(TYPES.get(ext), Buffer.buffer(read(resource)));
  }

  private static byte[] read(String resource) {
    try (InputStream in = PreferenceCentreRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("preference centre file " + resource + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read preference centre file " + resource + ": " + e.getMessage(), e);
    }
  }
}
