package io.nudge.server.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/**
 * One request the fuzzer sends and what the server may answer to it.
 *
 * @param strategy the generator that made it, for the report and the histogram of failures
 * @param target which API the path aims at; decides what a 2xx body must look like
 * @param raw sent over a plain socket byte for byte (paths and framing {@code java.net.http} refuses)
 */
record FuzzCase(
    String strategy,
    Target target,
    String method,
    String path,
    List<Header> headers,
    byte[] body,
    Expect expect,
    boolean raw) {

  enum Target { INGEST, CONSENT_PUT, ADMIN_GET, OTHER }

  record Header(String name, String value) {}

  /**
   * What the answer may be, besides the invariants that hold for every case.
   *
   * @param status the one status allowed, or 0 when any non-5xx status is
   * @param mayAccept whether a 2xx is allowed at all (false: the input is known to be invalid)
   */
  record Expect(int status, boolean mayAccept) {
    static Expect status(int status) {
      return new Expect(status, status / 100 == 2);
    }

    /** Some 4xx: the input is invalid, which 4xx depends on details the case does not pin. */
    static Expect rejected() {
      return new Expect(0, false);
    }

    /** Anything below 500; a 2xx is checked against the oracle for the target. */
    static Expect anything() {
      return new Expect(0, true);
    }

    @Override
    public String toString() {
      return status != 0 ? "status " + status : mayAccept ? "any non-5xx" : "a 4xx";
    }
  }

  FuzzCase withExpect(Expect e) {
    return new FuzzCase(strategy, target, method, path, headers, body, e, raw);
  }

  String header(String name) {
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** A short, copyable account of the request: enough to rebuild it by hand. */
  String describe() {
    StringBuilder s = new StringBuilder();
    s.append(strategy).append(raw ? " (raw socket)" : "").append(": ").append(method).append(' ')
        .append(printable(path.getBytes(StandardCharsets.ISO_8859_1), 300)).append('\n');
    for (Header h : headers) {
      s.append("  ").append(h.name()).append(": ").append(printable(
          h.value().getBytes(StandardCharsets.ISO_8859_1), 200)).append('\n');
    }
    s.append("  body: ").append(body.length).append(" bytes\n");
    if (body.length > 0) {
      s.append("  text: ").append(printable(body, 600)).append('\n');
      s.append("  hex:  ").append(HexFormat.of().formatHex(body, 0, Math.min(body.length, 96)))
          .append(body.length > 96 ? "..." : "").append('\n');
    }
    s.append("  expected: ").append(expect);
    return s.toString();
  }

  /** ASCII as is; everything else as \xNN; cut at {@code limit} bytes. */
  static String printable(byte[] bytes, int limit) {
    StringBuilder s = new StringBuilder();
    int n = Math.min(bytes.length, limit);
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        s.append((char) b);
      } else if (b == '\\') {
        s.append("\\\\");
      } else {
        s.append(String.format("\\x%02x", b));
      }
      if (s.length() > limit) {
        return s.append("... (").append(bytes.length - i - 1).append(" more bytes)").toString();
      }
    }
    if (bytes.length > n) {
      s.append("... (").append(bytes.length - n).append(" more bytes)");
    }
    return s.toString();
  }
}
