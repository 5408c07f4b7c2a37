package io.nudge.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for the routes a web page calls (ingestion and {@code /v1/visitor/*}), for the site origins in
 * {@code NUDGE_ALLOWED_ORIGINS} only. Mount it on {@code /v1/*} before every other {@code /v1} route.
 *
 * <ul>
 *   <li>An allowed origin gets its own origin echoed in {@code Access-Control-Allow-Origin}, and
 *       {@code Retry-After} exposed so a page can read how long to back off. Its preflight is answered here
 *       with 204, the methods, the headers and a max age of 600 s.
 *   <li>Any other origin gets no CORS headers, so its page cannot read the answers; its preflight gets
 *       403. Its simple requests still reach the route, as they would from curl: CORS only keeps other
 *       pages from reading responses, and write keys are public anyway.
 *   <li>The default, no origins, allows no cross-origin page. A page Nudge serves itself, and any page
 *       behind a proxy that serves Nudge on the site's own origin, needs none. {@code *} allows every
 *       origin.
 *   <li>Admin and integration routes, and everything else, never get CORS headers: their tokens must not
 *       be in a page.
 * </ul>
 *
 * <p>Responses of page routes carry {@code Vary: Origin}, so a cache never serves one origin's headers to
 * another. No {@code Access-Control-Allow-Credentials}: write keys go in the {@code Authorization} header,
 * not in cookies.
 */
public final class SiteOrigins implements Handler<RoutingContext> {
  static final String SETTING = "NUDGE_ALLOWED_ORIGINS";
  static final String ALLOW_METHODS = "GET, POST, OPTIONS";
  static final String ALLOW_HEADERS = "Content-Type, Authorization, Content-Encoding";
  static final String MAX_AGE_SECONDS = "600";

  private final Set<String> origins;
  private final boolean any;

  private SiteOrigins(Set<String> origins, boolean any) {
    this.origins = origins;
    this.any = any;
  }

  /**
   * @param allowed exact origins such as {@code https://shop.example} or {@code http://localhost:3000};
   *     {@code *} for any; empty for none
   * @throws IllegalArgumentException naming {@code NUDGE_ALLOWED_ORIGINS} and the entry that is no origin
   */
  public static SiteOrigins create(Collection<String> allowed) {
    Set<String> origins = new HashSet<>();
    boolean any = false;
    for (String entry : allowed) {
      String e = entry.trim();
      if (e.equals("*")) {
        any = true;
      } else {
        origins.add(origin(e));
      }
    }
    return new SiteOrigins(Set.copyOf(origins), any);
  }

  /**
   * The pages that may frame Nudge's own visitor pages, as a CSP {@code frame-ancestors} source list:
   * {@code 'self'} and the site origins, or {@code *} when every origin is allowed.
   */
  public String frameAncestors() {
    if (any) {
      return "*";
    }
    return ("'self' " + String.join(" ", new java.util.TreeSet<>(origins))).trim();
  }

  /** True when a page served from {@code origin} may call the page routes. */
  public boolean allows(String origin) {
    return origin != null && (any || origins.contains(origin.toLowerCase(Locale.ROOT)));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!PageRoutes.isCalledByPages(PageRoutes.canonical(ctx.normalizedPath()))) {
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    response.headers().add("Vary", "Origin");
    String origin = request.getHeader("Origin");
    boolean preflight = origin != null && request.method() == HttpMethod.OPTIONS
        && request.getHeader("Access-Control-Request-Method") != null;
    if (!allows(origin)) {
      if (preflight) {
        ApiError.forbidden("origin " + origin + " is not allowed (" + SETTING + ")").send(ctx);
      } else {
        ctx.next();
      }
      return;
    }
    response.putHeader("Access-Control-Allow-Origin", origin);
    if (preflight) {
      response.putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
          .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
          .putHeader("Access-Control-Max-Age", MAX_AGE_SECONDS)
          .setStatusCode(204)
          .end();
    } else {
      response.putHeader("Access-Control-Expose-Headers", "Retry-After");
      ctx.next();
    }
  }

  /**
   * The origin as a browser writes it in {@code Origin}: lower case, no default port, no path. A trailing
   * slash or a path is refused rather than dropped, because {@code https://shop.example/app} looks like
   * it limits something, and does not.
   */
  private static String origin(String entry) {
    try {
      URI uri = new URI(entry);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean http = scheme.equals("http") || scheme.equals("https");
      if (http && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawPath().isEmpty()
          && uri.getRawQuery() == null && uri.getRawFragment() == null) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || port == (scheme.equals("https") ? 443 : 80);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new IllegalArgumentException(SETTING + " has \"" + entry + "\", not an origin such as "
        + "https://shop.example or http://localhost:3000 (scheme, host and port only, no path or trailing /)");
  }
}
