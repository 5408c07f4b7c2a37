package io.nudge.server.dashboard;

import io.nudge.server.http.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator dashboard under {@code /admin/}: plain HTML, CSS and JavaScript from the class path
 * ({@code admin/}) and Apache ECharts from its WebJar. The pages hold no data and need no credential;
 * what they show comes from the admin API, called with the admin token the operator types in, which
 * the browser keeps for the session only.
 *
 * <p>The files are read once, at start-up: a missing one is a packaging fault and stops the server, and
 * no request waits on I/O.
 */
public final class DashboardRoutes {
  static final String ROOT = "/admin/";
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  /**
   * Scripts and data from this server only; ECharts writes {@code style} attributes into its tooltips,
   * so inline styles are allowed, inline scripts are not. The pages may not be framed.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
      + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8");

  private record File(String contentType, Buffer body, String cacheControl) {}

  private final Map<String, File> files;

  private DashboardRoutes(Map<String, File> files) {
    this.files = files;
  }

  /**
   * Reads the pages and ECharts from the class path.
   *
   * @throws IllegalStateException when one is missing
   */
  public static DashboardRoutes create() {
    Map<String, File> files = new LinkedHashMap<>();
    files.put("", file("admin/index.html", "no-cache"));
    files.put("app.js", file("admin/app.js", "no-cache"));
    files.put("pages.js", file("admin/pages.js", "no-cache"));
    files.put("style.css", file("admin/style.css", "no-cache"));
    // versioned in its path by the WebJar; a day in the browser's cache is safe
    files.put("echarts.min.js", file(ECHARTS, "max-age=86400"));
    return new DashboardRoutes(Map.copyOf(files));
  }

  public void mount(Router router) {
    router.get("/admin").handler(ctx -> {
      if (ctx.request().path().equals("/admin")) {
        ctx.redirect(ROOT);
      } else {
        ctx.next(); // Vert.x matches "/admin/" here too
      }
    });
    router.get("/admin/*").handler(this::file);
  }

  private void file(RoutingContext ctx) {
    File file = files.get(ctx.request().path().substring(ROOT.length()));
    if (file == null) {
      ApiError.notFound("no dashboard page at " + ctx.request().path()).send(ctx);
      return;
    }
    ctx.response()
        .putHeader("Content-Type", file.contentType())
        .putHeader("Cache-Control", file.cacheControl())
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("Referrer-Policy", "no-referrer")
        .end(file.body());
  }

  private static File file(String resource, String cacheControl) {
    try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file " + resource + " is missing from the class path");
      }
      String ext = resource.substring(resource.lastIndexOf('.') + 1);
      return new File(TYPES.get(ext), Buffer.buffer(in.readAllBytes()), cacheControl);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dashboard file " + resource + ": " + e.getMessage(), e);
    }
  }
}
