package io.nudge.server.fuzz;

import static io.nudge.server.fuzz.FuzzCase.Expect.anything;
import static io.nudge.server.fuzz.FuzzCase.Expect.status;
import static io.nudge.server.fuzz.FuzzCases.b64;
import static io.nudge.server.fuzz.FuzzCases.basic;
import static io.nudge.server.fuzz.FuzzCases.headers;

import io.nudge.server.fuzz.FuzzCase.Expect;
import io.nudge.server.fuzz.FuzzCase.Header;
import io.nudge.server.fuzz.FuzzCase.Target;
import io.nudge.server.fuzz.Json.Obj;
import io.nudge.server.fuzz.Json.Raw;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/** Fuzz cases for the admin API ({@code /v1/customers/{id}/...}), odd paths and raw HTTP. */
final class AdminCases {
  static final int MAX_CONSENT_BODY = 16 * 1024;
  private static final Set<String> PURPOSES = Set.of("analytics", "personalization", "proactive_chat", "callback");
  private static final List<String> CONSENT_KEYS = List.of(
      "analytics", "personalization", "proactive_chat", "callback", "PROACTIVE_CHAT", "Callback", "marketing", "",
      "proactive_chat ", "ünknown", "x".repeat(100), "proactive-chat", "\u0000", "Proactive_Chat");
  private static final List<String> CONSENT_VALUES = List.of(
      "true", "false", "\"granted\"", "\"denied\"", "\"GRANTED\"", "\"yes\"", "1", "0", "null", "[]", "{}",
      "\"true\"", "[true]", "1e999");

  private final Random r;
  private final String tag;
  private final SegmentPayloads payloads;
  private final String writeKey;
  private final String adminToken;
  private final String integrationToken;

  AdminCases(Random r, String tag, SegmentPayloads payloads, String writeKey, String adminToken,
      String integrationToken) {
    this.r = r;
    this.tag = tag;
    this.payloads = payloads;
    this.writeKey = writeKey;
    this.adminToken = adminToken;
    this.integrationToken = integrationToken;
  }

  /** Percent-encodes an id for one path segment, as a client library would. */
  static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String customerPath(String what) {
    return "/v1/customers/" + segment(payloads.id(tag)) + "/" + what;
  }

  private List<Header> admin(String contentType) {
    List<Header> h = headers("Authorization", "Bearer " + adminToken);
    if (contentType != null) {
      h.add(new Header("Content-Type", contentType));
    }
    return h;
  }

  FuzzCase consentPut() {
    String path = customerPath("consent");
    return switch (r.nextInt(10)) {
      case 0 -> put("consent-put havoc", path, Bytes.havoc(r, Json.bytes(consentBody(false))), anything());
      case 1 -> {
        byte[] full = Json.bytes(consentBody(false));
        yield put("consent-put truncated", path, Arrays.copyOf(full, r.nextInt(full.length - 1)), status(400));
      }
      case 2 -> put("consent-put not an object", path,
          Bytes.utf8(payloads.pick(SegmentPayloads.TOKENS.stream().filter(t -> !t.startsWith("{")).toList())),
          status(400));
      case 3 -> {
        int levels = payloads.pick(List.of(100, 999, 1_001, 2_000, 10_000));
        String body = "{\"proactive_chat\":" + "[".repeat(levels) + "]".repeat(levels) + "}";
        yield put("consent-put deep " + levels, path, Bytes.utf8(body),
            status(body.length() > MAX_CONSENT_BODY ? 413 : 400));
      }
      case 4 -> {
        int size = payloads.pick(List.of(16_000, 16_385, 100_000, 1_000_000));
        String body = "{\"proactive_chat\":true,\"pad\":\"" + "a".repeat(size) + "\"}";
        yield put("consent-put huge " + size, path, Bytes.utf8(body),
            status(body.length() > MAX_CONSENT_BODY ? 413 : 400));
      }
      case 5 -> {
        byte[] body = Bytes.replace(Bytes.utf8("{\"callback\":true,\"FUZZMARK\":false}"), Bytes.utf8("FUZZMARK"),
            payloads.pick(Bytes.INVALID_UTF8));
        yield put("consent-put invalid utf8", path, body, status(400));
      }
      case 6 -> {
        String type = payloads.pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=zz", "", "application/json; charset=utf-16"));
        Obj body = consentBody(false);
        yield new FuzzCase("consent-put content-type", Target.CONSENT_PUT, "PUT", path,
            admin(type.isEmpty() ? null : type), Json.bytes(body), anything(), false);
      }
      default -> {
        boolean duplicate = r.nextInt(4) == 0;
        Obj body = consentBody(duplicate);
        yield put("consent-put" + (duplicate ? " duplicate key" : ""), path, Json.bytes(body),
            status(consentIsValid(body) ? 200 : 400));
      }
    };
  }

  private FuzzCase put(String strategy, String path, byte[] body, Expect expect) {
    return new FuzzCase(strategy, Target.CONSENT_PUT, "PUT", path, admin("application/json"), body, expect, false);
  }

  /** One to four purposes, mostly well formed; with {@code duplicate}, one key twice. */
  private Obj consentBody(boolean duplicate) {
    Obj body = new Obj();
    int n = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      boolean good = r.nextInt(3) != 0;
      String key = good ? payloads.pick(List.copyOf(PURPOSES)) : payloads.pick(CONSENT_KEYS);
      String value = good ? payloads.pick(List.of("true", "false", "\"granted\"", "\"denied\""))
          : payloads.pick(CONSENT_VALUES);
      body.put(key, new Raw(value));
    }
    if (duplicate) {
      String key = body.size() > 0 ? body.keys.get(0) : "callback";
      body.add(key, new Raw(payloads.pick(List.of("true", "false", "\"denied\""))));
      if (body.size() == 1) {
        body.add(key, new Raw("true"));
      }
    }
    return body;
  }

  /** What the API documents as a valid consent body: purposes (any case) and their choices, once each. */
  static boolean consentIsValid(Obj body) {
    if (body.size() == 0 || body.keys.size() != Set.copyOf(body.keys).size()) {
      return false;
    }
    for (int i = 0; i < body.size(); i++) {
      String value = ((Raw) body.values.get(i)).text();
      boolean choice = Set.of("true", "false", "\"granted\"", "\"denied\"").contains(value);
      if (!PURPOSES.contains(body.keys.get(i).toLowerCase(Locale.ROOT)) || !choice) {
        return false;
      }
    }
    return true;
  }

  FuzzCase adminGet() {
    String what = r.nextBoolean() ? "consent" : "decisions";
    String id = switch (r.nextInt(4)) {
      case 0 -> segment(payloads.id(tag));
      case 1 -> segment(payloads.pick(SegmentPayloads.ID_STEMS));
      case 2 -> payloads.pick(List.of("%2F", "%C3%A9", "%FF", "%E2%82", "%00", "%20", ".", "..", "%2E%2E", "a;b",
          "a%3Bb", "%25", "~", "x".repeat(3000), "%F0%9F%99%82", "%C0%AF", "%ED%A0%80"));
      default -> segment(Long.toString(r.nextLong()));
    };
    return new FuzzCase("admin-get " + what, Target.ADMIN_GET, "GET", "/v1/customers/" + id + "/" + what,
        admin(null), new byte[0], anything(), false);
  }

  /** Every admin route, with each kind of wrong credential: 401 or 403 before anything else. */
  FuzzCase adminAuth() {
    String[][] options = {{null, "401"}, {"Bearer " + integrationToken, "403"}, {"Bearer " + writeKey, "403"},
        {"Bearer wrong", "401"}, {basic(adminToken), "401"}, {"Bearer", "401"}, {"Bearer ", "401"},
        {"Bearer " + adminToken + "x", "401"}, {"Token " + adminToken, "401"}, {"Bearer " + b64(adminToken), "401"},
        {"bearer " + adminToken, "ok"}, {"Bearer   " + adminToken + "  ", "ok"}};
    String[] option = options[r.nextInt(options.length)];
    String[] route = payloads.pick(List.of(new String[] {"PUT", "consent"}, new String[] {"GET", "consent"},
        new String[] {"GET", "decisions"}, new String[] {"DELETE", "consent"}, new String[] {"POST", "other"}));
    List<Header> h = headers("Content-Type", "application/json");
    if (option[0] != null) {
      h.add(new Header("Authorization", option[0]));
    }
    byte[] body = route[0].equals("PUT") ? Bytes.utf8("{\"analytics\":true}") : new byte[0];
    Expect expect = option[1].equals("ok") ? anything() : status(Integer.parseInt(option[1]));
    return new FuzzCase("admin-auth", route[0].equals("PUT") ? Target.CONSENT_PUT : Target.ADMIN_GET, route[0],
        customerPath(route[1]), h, body, expect, false);
  }

  /** Every method on known paths and near misses of them. */
  FuzzCase paths() {
    String method = payloads.pick(List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FUZZ"));
    String path = payloads.pick(List.of("/v1/batch/", "/v1//batch", "/V1/BATCH", "/v1/batch?x=1&y", "/v1/./batch",
        "/v1/../v1/batch", "/v1/batch%00", "/v1/%62atch", "/v1/tr", "/v1/x", "/v1/", "/v1", "/", "/v1/customers/",
        "/v1/customers//consent", "/v1/customers/a/b/consent", "/v1/customers/%2F/consent", "/v1/customers/a/consent/",
        "/v1/customers/a/decisions?limit=-1", "/v1/customers/%C3%A9/decisions", "/v1/customers/%FF/consent",
        "/health/ready", "/health/live/", "/health", "/v1/track;jsessionid=1", "/v1/t?", "/v1/batch#frag",
        "/v1/engagements/stream?x", "/v1/visitor/token", "/" + "a".repeat(2000), "/v1/customers/%25%32%46/consent",
        "/v1/b/../p", "/%2e%2e/v1/batch", "/v1/\u00e9", "/v1/customers/\u00e9/consent",
        "/v1/customers/" + "a".repeat(5_000) + "/consent", "/v1/batch?" + "q".repeat(4_100)));
    List<Header> h = new ArrayList<>();
    if (path.startsWith("/v1/customers") || r.nextInt(4) == 0) {
      h.add(new Header("Authorization", "Bearer " + adminToken));
    } else {
      h.add(new Header("Authorization", basic(writeKey)));
    }
    if (method.equals("OPTIONS") && r.nextBoolean()) {
      h.add(new Header("Origin", "https://shop.example"));
      h.add(new Header("Access-Control-Request-Method", "POST"));
    }
    byte[] body = switch (r.nextInt(3)) {
      case 0 -> new byte[0];
      case 1 -> Json.bytes(payloads.call(io.nudge.engine.Event.EventType.PAGE, false, tag));
      default -> Bytes.random(r, 1 + r.nextInt(64));
    };
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      body = new byte[0];
    }
    h.add(new Header("Content-Type", "application/json"));
    return new FuzzCase("paths", Target.OTHER, method, path, h, body, anything(), false);
  }

  /**
   * Requests {@code java.net.http} will not send: paths with broken percent-escapes or raw bytes, and a
   * Content-Length shorter than the body. Framing stays valid HTTP/1.1 (see EndpointFuzzTest for what
   * happens when it does not).
   */
  FuzzCase raw() {
    if (r.nextInt(3) == 0) {
      byte[] body = Json.bytes(payloads.call(io.nudge.engine.Event.EventType.PAGE, false, tag));
      int declared = r.nextInt(body.length);
      List<Header> h = headers("Authorization", basic(writeKey), "Content-Type", "application/json",
          "Content-Length", Integer.toString(declared));
      // the server reads the first `declared` bytes as the body: never a whole JSON object
      return new FuzzCase("raw short content-length", Target.INGEST, "POST", payloads.path(
          io.nudge.engine.Event.EventType.PAGE), h, body, status(400), true);
    }
    String id = payloads.pick(List.of("%ZZ", "%", "%4", "%%", "%C0%AF", "%ED%A0%80", "%FF%FE", "\u00ff\u00fe",
        "\u00c3\u00a9", "a%00b", "%u00e9", "%2", "%G1", "\u0080", "a|b", "{x}", "a\"b", "<x>", "a^b", "a`b"));
    String method = payloads.pick(List.of("GET", "PUT"));
    String what = payloads.pick(List.of("consent", "decisions"));
    String path = payloads.pick(List.of("/v1/customers/" + id + "/" + what, "/v1/" + id, "/v1/batch" + id,
        "/" + id + "/v1/batch", "/v1/customers/x/" + what + "?" + id));
    byte[] body = method.equals("PUT") ? Bytes.utf8("{\"callback\":false}") : new byte[0];
    List<Header> h = headers("Authorization", "Bearer " + adminToken, "Content-Type", "application/json");
    return new FuzzCase("raw path", Target.OTHER, method, path, h, body, anything(), true);
  }
}
