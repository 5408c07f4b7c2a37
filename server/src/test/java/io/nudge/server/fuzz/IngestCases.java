package io.nudge.server.fuzz;

import static io.nudge.server.fuzz.FuzzCase.Expect.anything;
import static io.nudge.server.fuzz.FuzzCase.Expect.rejected;
import static io.nudge.server.fuzz.FuzzCase.Expect.status;
import static io.nudge.server.fuzz.FuzzCases.b64;
import static io.nudge.server.fuzz.FuzzCases.basic;
import static io.nudge.server.fuzz.FuzzCases.headers;

import io.nudge.engine.Event.EventType;
import io.nudge.server.fuzz.FuzzCase.Expect;
import io.nudge.server.fuzz.FuzzCase.Header;
import io.nudge.server.fuzz.FuzzCase.Target;
import io.nudge.server.fuzz.Json.Obj;
import io.nudge.server.fuzz.Json.Raw;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Fuzz cases that break the body of a valid Segment call: mutated bytes, swapped types, truncation,
 * duplicate keys, invalid UTF-8; and the write key in all the places it can (not) be.
 */
final class IngestCases {
  private static final byte[] MARK = Bytes.utf8("FUZZMARK");
  private static final List<String> SWAP_FIELDS = List.of(
      "type", "anonymousId", "userId", "messageId", "timestamp", "originalTimestamp", "sentAt", "event", "name",
      "properties", "traits", "context", "previousId", "groupId", "writeKey", "properties.price",
      "properties.path", "properties.products", "context.page", "context.page.path", "context.userAgent",
      "context.campaign", "context.consent", "context.consent.categoryPreferences",
      "context.consent.categoryPreferences.proactive_chat");

  private final Random r;
  private final String tag;
  private final SegmentPayloads payloads;
  private final String writeKey;
  private final String adminToken;

  IngestCases(Random r, String tag, SegmentPayloads payloads, String writeKey, String adminToken) {
    this.r = r;
    this.tag = tag;
    this.payloads = payloads;
    this.writeKey = writeKey;
    this.adminToken = adminToken;
  }

  /** A valid ingestion request before it is broken: where it goes and its JSON. */
  record Valid(String path, EventType type, Obj body) {
    boolean batch() {
      return type == null;
    }

    /** The call whose fields are swapped: the body itself, or one of the batch's items. */
    Obj call(Random r) {
      if (!batch()) {
        return body;
      }
      List<?> items = (List<?>) body.get("batch");
      return (Obj) items.get(r.nextInt(items.size()));
    }

    EventType typeOf(Obj call) {
      if (!batch()) {
        return type;
      }
      return EventType.valueOf(((String) call.get("type")).toUpperCase(Locale.ROOT));
    }
  }

  FuzzCase havoc() {
    return ingest("havoc", valid(false), anything(), Bytes::havoc);
  }

  FuzzCase emptyBody() {
    return post("empty-body", payloads.path(r.nextBoolean() ? null : payloads.anyType()), basicAuthJson(),
        new byte[0], status(400));
  }

  FuzzCase randomBytes() {
    return post("random-bytes", payloads.path(r.nextBoolean() ? null : payloads.anyType()), basicAuthJson(),
        Bytes.random(r, 1 + r.nextInt(r.nextBoolean() ? 16 : 2000)), rejected());
  }

  Valid valid(boolean writeKeyInBody) {
    if (r.nextInt(3) == 0) {
      return new Valid(payloads.path(null), null, payloads.batch(tag, writeKeyInBody));
    }
    EventType type = payloads.anyType();
    Obj call = payloads.call(type, false, tag);
    if (writeKeyInBody) {
      call.put("writeKey", writeKey);
    }
    return new Valid(payloads.path(type), type, call);
  }

  List<Header> basicAuthJson() {
    return headers("Authorization", basic(writeKey), "Content-Type", "application/json");
  }

  FuzzCase post(String strategy, String path, List<Header> headers, byte[] body, Expect expect) {
    return new FuzzCase(strategy, Target.INGEST, "POST", path, headers, body, expect, false);
  }

  FuzzCase ingest(String strategy, Valid v, Expect expect, BiFunction<Random, byte[], byte[]> f) {
    return post(strategy, v.path(), basicAuthJson(), f.apply(r, Json.bytes(v.body())), expect);
  }

  FuzzCase validCase() {
    boolean keyInBody = r.nextInt(4) == 0;
    Valid v = valid(keyInBody);
    List<Header> h = new ArrayList<>();
    if (!keyInBody) {
      h.add(new Header("Authorization", basic(writeKey)));
    }
    String type = payloads.pick(List.of("application/json", "application/json; charset=utf-8",
        "text/plain;charset=UTF-8", "Application/JSON", "text/plain", ""));
    if (!type.isEmpty()) {
      h.add(new Header("Content-Type", type));
    }
    byte[] body = Json.bytes(v.body());
    if (r.nextInt(6) == 0) {
      h.add(new Header("Content-Encoding", payloads.pick(List.of("gzip", "x-gzip", "GZIP"))));
      body = Bytes.gzip(body);
    }
    return post("valid", v.path(), h, body, status(200));
  }

  /** One field of a valid call set to a value of another type, or an edge value of its own. */
  FuzzCase swapType() {
    Valid v = valid(false);
    Obj call = v.call(r);
    EventType type = v.typeOf(call);
    String field = payloads.pick(SWAP_FIELDS);
    String token = payloads.pick(SegmentPayloads.TOKENS);
    SwapRules.set(call, field, new Raw(token));
    boolean reject = SwapRules.swapMustBeRejected(type, v.batch(), call, field, token);
    return post("swap-type " + field, v.path(), basicAuthJson(), Json.bytes(v.body()),
        reject ? status(400) : anything());
  }

  FuzzCase truncated() {
    byte[] full = Json.bytes(valid(false).body());
    byte[] cut = Arrays.copyOf(full, r.nextInt(full.length));
    boolean batch = r.nextBoolean();
    return post("truncated", payloads.path(batch ? null : payloads.anyType()), basicAuthJson(), cut, status(400));
  }

  FuzzCase notAnObject() {
    boolean batch = r.nextBoolean();
    String body = switch (r.nextInt(4)) {
      case 0 -> payloads.pick(SegmentPayloads.TOKENS.stream().filter(t -> !t.startsWith("{")).toList());
      case 1 -> "[" + Json.text(payloads.call(payloads.anyType(), true, tag)) + "]";
      case 2 -> "{\"batch\":" + payloads.pick(List.of("[]", "{}", "null", "\"x\"", "[1]", "[[]]", "[null]")) + "}";
      default -> Json.text(payloads.call(EventType.TRACK, true, tag)) + payloads.pick(List.of("{}", "x", "1", "[]"));
    };
    return post("not-an-object", payloads.path(batch ? null : payloads.anyType()), basicAuthJson(),
        Bytes.utf8(body), status(400));
  }

  FuzzCase duplicateKey() {
    Valid v = valid(false);
    List<Obj> objects = new ArrayList<>();
    SwapRules.collectObjects(v.body(), objects);
    Obj target = payloads.pick(objects);
    String key = target.keys.get(r.nextInt(target.size()));
    Object value = r.nextBoolean() ? target.get(key) : new Raw(payloads.pick(SegmentPayloads.TOKENS));
    target.add(key, value);
    return post("duplicate-key", v.path(), basicAuthJson(), Json.bytes(v.body()), status(400));
  }

  FuzzCase invalidUtf8() {
    Valid v = valid(false);
    Obj call = v.call(r);
    if (r.nextBoolean()) {
      call.put("note", "before FUZZMARK after");
    } else {
      call.put("keyFUZZMARK", 1L);
    }
    byte[] bad = payloads.pick(Bytes.INVALID_UTF8);
    byte[] body = Bytes.replace(Json.bytes(v.body()), MARK, bad);
    List<Header> h = basicAuthJson();
    if (r.nextInt(4) == 0) {
      h.add(new Header("Content-Encoding", "gzip"));
      body = Bytes.gzip(body);
    }
    return post("invalid-utf8", v.path(), h, body, status(400));
  }

  /** The write key as Basic user, in the body, both or neither, well and badly formed. */
  FuzzCase ingestAuth() {
    // each option: the header, and what the server should take from it: a key, a wrong key, or none
    String[][] headerOptions = {
        {null, "none"}, {basic(writeKey), "good"}, {"basic " + b64(writeKey + ":secret"), "good"},
        {"Basic " + b64(writeKey), "good"}, {"BASIC   " + b64(writeKey + ":") + "  ", "good"},
        {basic("wk_guess"), "bad"}, {basic("ü" + writeKey), "bad"}, {basic(writeKey + " "), "bad"},
        {"Basic " + b64(":"), "none"}, {"Basic " + b64(":" + writeKey), "none"}, {"Basic !!!", "none"},
        {"Basic", "none"}, {"Basic ", "none"}, {"Bearer " + writeKey, "none"}, {"Bearer " + adminToken, "none"},
        {"Basic " + b64(writeKey + ":") + " x", "none"}, {"Digest username=\"" + writeKey + "\"", "none"},
        {"Basic " + b64(writeKey + ":").replace("=", ""), "good"}};
    String[] header = headerOptions[r.nextInt(headerOptions.length)];
    Object[][] bodyOptions = {{null, "none"}, {writeKey, "good"}, {"wk_guess", "bad"}, {new Raw("42"), "none"},
        {" ", "none"}, {"", "none"}, {new Raw("null"), "none"}, {new Raw("[\"" + writeKey + "\"]"), "none"},
        {writeKey.toUpperCase(Locale.ROOT), "bad"}};
    Object[] inBody = bodyOptions[r.nextInt(bodyOptions.length)];
    Valid v = valid(false);
    if (inBody[0] != null) {
      v.body().put("writeKey", inBody[0]);
    }
    List<Header> h = headers("Content-Type", "application/json");
    if (header[0] != null) {
      h.add(new Header("Authorization", header[0]));
    }
    String decides = header[1].equals("none") ? (String) inBody[1] : header[1];
    return post("ingest-auth", v.path(), h, Json.bytes(v.body()), status(decides.equals("good") ? 200 : 401));
  }

  FuzzCase ingestHeaders() {
    Valid v = valid(false);
    List<Header> h = basicAuthJson();
    String[][] extra = {{"Origin", "https://shop.example"}, {"Origin", "null"}, {"Origin", "not a url"},
        {"Origin", "https://ü.example"}, {"Origin", "*"}, {"Origin", ""}, {"Accept", "application/xml"},
        {"Accept-Encoding", "gzip, br"}, {"X-Forwarded-For", "1.2.3.4, ::1, garbage"}, {"User-Agent", ""},
        {"Cookie", "a=" + "b".repeat(2000)}, {"X-Request-Id", "ü".repeat(10)}, {"Content-Type", "text/plain"},
        {"Authorization", basic("wk_other")}, {"Content-Encoding", "identity"}, {"X-Empty", ""},
        {"Referer", "javascript:alert(1)"}, {"Access-Control-Request-Method", "DELETE"},
        {"Cookie", "c=" + "x".repeat(9_000)}};
    int n = 1 + r.nextInt(3);
    boolean origin = false;
    int headerBytes = 200; // what the client adds itself
    for (int i = 0; i < n; i++) {
      String[] e = extra[r.nextInt(extra.length)];
      origin |= e[0].equals("Origin") || e[0].equals("Access-Control-Request-Method");
      h.add(new Header(e[0], e[1]));
    }
    for (Header header : h) {
      headerBytes += header.name().length() + header.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4;
    }
    // a second Authorization, Content-Type or Content-Encoding comes after ours; the first one counts
    return post("ingest-headers", v.path(), h, Json.bytes(v.body()),
        headerBytes > 8_192 ? status(431) : origin ? anything() : status(200));
  }
}
