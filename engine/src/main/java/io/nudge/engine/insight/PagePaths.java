package io.nudge.engine.insight;

import java.util.regex.Pattern;

/**
 * Page paths made comparable across visitors: no query string or fragment, no scheme and host, no
 * trailing slash, and segments that are ids (numbers, UUIDs, long hex strings, anything with five or
 * more digits) replaced by {@code :id}, so {@code /orders/8812?x=1} and {@code /orders/9930/} are both
 * {@code /orders/:id}.
 */
final class PagePaths {
  static final String ID = ":id";
  static final int MAX_LENGTH = 200;
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("(?=.*\\d)[0-9a-fA-F]{8,}");
  private static final Pattern MANY_DIGITS = Pattern.compile("(.*\\d){5,}.*");

  private PagePaths() {}

  static String normalise(String raw) {
    String path = raw.trim();
    int cut = indexOfAny(path, '?', '#');
    if (cut >= 0) {
      path = path.substring(0, cut);
    }
    int scheme = path.indexOf("://");
    if (scheme >= 0) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    StringBuilder out = new StringBuilder();
    for (String segment : path.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      out.append('/').append(isId(segment) ? ID : segment);
    }
    String normal = out.length() == 0 ? "/" : out.toString();
    return normal.length() > MAX_LENGTH ? normal.substring(0, MAX_LENGTH) : normal;
  }

  private static boolean isId(String segment) {
    return NUMBER.matcher(segment).matches() || UUID.matcher(segment).matches()
        || HEX.matcher(segment).matches() || MANY_DIGITS.matcher(segment).matches();
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }
}
