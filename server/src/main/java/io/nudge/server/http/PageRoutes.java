package io.nudge.server.http;

import io.nudge.engine.Event.EventType;
import java.util.HashSet;
import java.util.Set;

/**
 * The routes a web page calls: Segment-compatible ingestion (the same paths {@code SegmentIngestRoutes}
 * mounts, built from the same {@link EventType}s) and the visitor's token and stream under
 * {@code /v1/visitor/}, and an engagement's outcome ({@code /v1/engagements/{id}/outcome}, with a visitor
 * token). Everything else under {@code /v1} is for servers: admin and integration.
 */
final class PageRoutes {
  private static final Set<String> INGESTION = ingestionPaths();
  private static final String VISITOR_PREFIX = "/v1/visitor/";
  private static final String VISITOR_TOKEN = "/v1/visitor/token";
  private static final String ENGAGEMENTS_PREFIX = "/v1/engagements/";
  private static final String OUTCOME_SUFFIX = "/outcome";

  private PageRoutes() {}

  /**
   * The path as the router matches it: {@code normalizedPath} has dot segments resolved, and the router
   * matches {@code /v1/batch/} to {@code /v1/batch}, so one trailing slash is dropped here too.
   */
  static String canonical(String normalizedPath) {
    if (normalizedPath == null) {
      return "";
    }
    if (normalizedPath.length() > 1 && normalizedPath.endsWith("/")) {
      return normalizedPath.substring(0, normalizedPath.length() - 1);
    }
    return normalizedPath;
  }

  static boolean isIngestion(String path) {
    return INGESTION.contains(path);
  }

  static boolean isVisitorToken(String path) {
    return path.equals(VISITOR_TOKEN);
  }

  /** Ingestion, or anything under {@code /v1/visitor/}. */
  /** {@code /v1/engagements/{id}/outcome}, which a visitor's page calls with its visitor token. */
  static boolean isEngagementOutcome(String path) {
    if (path.length() <= ENGAGEMENTS_PREFIX.length() + OUTCOME_SUFFIX.length()
        || !path.startsWith(ENGAGEMENTS_PREFIX) || !path.endsWith(OUTCOME_SUFFIX)) {
      return false;
    }
    return path.indexOf('/', ENGAGEMENTS_PREFIX.length()) == path.length() - OUTCOME_SUFFIX.length();
  }

  /** Ingestion, anything under {@code /v1/visitor/}, or an engagement's outcome. */
  static boolean isCalledByPages(String path) {
    return isIngestion(path) || path.startsWith(VISITOR_PREFIX) || isEngagementOutcome(path);
  }

  private static Set<String> ingestionPaths() {
    Set<String> paths = new HashSet<>(Set.of("/v1/batch", "/v1/b"));
    for (EventType type : EventType.segmentCalls()) {
      paths.add("/v1/" + type.id());
      paths.add("/v1/" + type.id().charAt(0));
    }
    return Set.copyOf(paths);
  }
}
