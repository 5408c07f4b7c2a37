package io.nudge.server.sdk;

import io.nudge.engine.ConsentDefault;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.nudge.server.privacy.PrivacyTexts;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * {@code GET /sdk/nudge.js}: the browser SDK, with this server's consent default and privacy-signal
 * setting written into it, so the script knows before sending anything whether it may. Served gzipped to
 * browsers that accept it, with a strong ETag ({@code 304} when unchanged) and a short cache lifetime, as
 * the URL carries no version. No credential: the write key is in the page's script tag.
 */
public final class SdkRoutes {
  static final String PATH = "/sdk/nudge.js";
  private static final String RESOURCE = "/sdk/nudge.js";
  private static final String SETTINGS_MARK = "{/*SETTINGS*/}";
  private static final String CACHE = "public, max-age=300";

  private final Buffer plain;
  private final Buffer gzipped;
  private final String etag;

  private SdkRoutes(byte[] script) {
    this.plain = Buffer.buffer(script);
    this.gzipped = Buffer.buffer(gzip(script));
    this.etag = "\"" + sha256(script) + "\"";
  }

  /**
   * Reads the script from the class path and writes the settings into it.
   *
   * @throws IllegalStateException when the script is missing from the class path, a packaging fault
   */
  public static SdkRoutes create(ConsentDefault consentDefault, boolean honourPrivacySignals) {
    return create(consentDefault, honourPrivacySignals, PrivacyTexts.load(null));
  }

  /**
   * As {@link #create(ConsentDefault, boolean)}, with the "Why am I seeing this?" texts ({@code why.*}) of
   * every language in {@code texts}: the script picks the browser's language.
   */
  public static SdkRoutes create(ConsentDefault consentDefault, boolean honourPrivacySignals, PrivacyTexts texts) {
    String script = read();
    if (!script.contains(SETTINGS_MARK)) {
      throw new IllegalStateException(RESOURCE + " has no " + SETTINGS_MARK + " mark for the server's settings");
    }
    JsonObject settings = new JsonObject()
        .put("consentDefault", consentDefault == ConsentDefault.OPT_OUT ? "opt-out" : "opt-in")
        .put("privacySignals", honourPrivacySignals ? "honour" : "ignore")
        .put("texts", texts.subset("why."));
    // the texts are the operator's, written into a script: no "</script>" or "<!--" may come out of them
    String encoded = settings.encode().replace("<", "\\u003c").replace(">", "\\u003e");
    return new SdkRoutes(script.replace(SETTINGS_MARK, encoded).getBytes(StandardCharsets.UTF_8));
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::serve);
  }

  /** The gzipped size of the script as served, in bytes. */
  public int gzippedSize() {
    return gzipped.length();
  }

  private void serve(RoutingContext ctx) {
    var response = ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/javascript; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, CACHE)
        .putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.VARY, "Accept-Encoding")
        .putHeader("X-Content-Type-Options", "nosniff")
        // the script is loaded by other sites' pages, also those that isolate themselves
        .putHeader("Cross-Origin-Resource-Policy", "cross-origin");
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && matches(ifNoneMatch)) {
      response.setStatusCode(304).end();
      return;
    }
    if (acceptsGzip(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING))) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip").end(gzipped);
    } else {
      response.end(plain);
    }
  }

  private boolean matches(String ifNoneMatch) {
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /** {@code gzip} listed without {@code q=0}. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
      String[] pieces = part.trim().split(";");
      if (pieces[0].trim().equals("gzip") || pieces[0].trim().equals("*")) {
        for (int i = 1; i < pieces.length; i++) {
          String p = pieces[i].replace(" ", "");
          if (p.equals("q=0") || p.matches("q=0\\.0*")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  private static String read() {
    try (InputStream in = SdkRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out) {
      {
        def.setLevel(9);
      }
    }) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
