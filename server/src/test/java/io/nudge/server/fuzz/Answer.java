package io.nudge.server.fuzz;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A response as the fuzzer sees it; header names in lower case. */
record Answer(int status, Map<String, List<String>> headers, byte[] body) {
  String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
