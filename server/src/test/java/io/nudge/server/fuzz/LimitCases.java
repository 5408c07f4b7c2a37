package io.nudge.server.fuzz;

import static io.nudge.server.fuzz.FuzzCase.Expect.anything;
import static io.nudge.server.fuzz.FuzzCase.Expect.rejected;
import static io.nudge.server.fuzz.FuzzCase.Expect.status;
import static io.nudge.server.fuzz.FuzzCases.MAX_BATCH;
import static io.nudge.server.fuzz.FuzzCases.MAX_DEPTH;
import static io.nudge.server.fuzz.FuzzCases.MAX_EVENT_BYTES;
import static io.nudge.server.fuzz.FuzzCases.MAX_PROPERTIES;
import static io.nudge.server.fuzz.FuzzCases.MAX_REQUEST_BYTES;
import static io.nudge.server.fuzz.FuzzCases.MAX_STRING;
import static io.nudge.server.fuzz.FuzzCases.basic;
import static io.nudge.server.fuzz.FuzzCases.headers;

import io.nudge.engine.Event.EventType;
import io.nudge.server.fuzz.FuzzCase.Expect;
import io.nudge.server.fuzz.FuzzCase.Header;
import io.nudge.server.fuzz.IngestCases.Valid;
import io.nudge.server.fuzz.Json.Obj;
import io.nudge.server.fuzz.Json.Raw;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Fuzz cases at and past the documented limits (nesting, string and key length, batch size, properties,
 * bytes), and every content type and encoding, gzip bombs included. Where the docs pin the answer, the
 * expectation follows the order in which the server checks: request bytes, a single call's bytes,
 * then while parsing nesting and string length, then each batch call's bytes.
 */
final class LimitCases {
  private final Random r;
  private final String tag;
  private final SegmentPayloads payloads;
  private final IngestCases ingest;
  private final String writeKey;

  LimitCases(Random r, String tag, SegmentPayloads payloads, IngestCases ingest, String writeKey) {
    this.r = r;
    this.tag = tag;
    this.payloads = payloads;
    this.ingest = ingest;
    this.writeKey = writeKey;
  }

  private Valid valid() {
    return ingest.valid(false);
  }

  private List<Header> basicAuthJson() {
    return ingest.basicAuthJson();
  }

  private FuzzCase post(String strategy, String path, List<Header> headers, byte[] body, Expect expect) {
    return ingest.post(strategy, path, headers, body, expect);
  }

  FuzzCase deepNesting() {
    Valid v = valid();
    int levels = payloads.pick(List.of(16, 17, 18, 19, 20, 21, 30, 1_000, 10_000));
    boolean arrays = r.nextBoolean();
    String nested = arrays ? "[".repeat(levels) + "]".repeat(levels)
        : "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    v.call(r).put("nested", new Raw(nested));
    byte[] body = Json.bytes(v.body());
    int depth = (v.batch() ? 3 : 1) + levels;
    Expect expect = !v.batch() && body.length > MAX_EVENT_BYTES ? status(413)
        : depth > MAX_DEPTH ? status(400) : status(200);
    return post("deep-nesting " + levels, v.path(), basicAuthJson(), body, expect);
  }

  FuzzCase huge() {
    return switch (r.nextInt(6)) {
      case 0 -> hugeString(false);
      case 1 -> hugeString(true);
      case 2 -> hugeBatch();
      case 3 -> manyProperties();
      case 4 -> bigArray();
      default -> {
        int size = payloads.pick(List.of(600_000, 1_000_000, 10_000_000));
        List<Header> h = basicAuthJson();
        h.add(new Header("Content-Encoding", "gzip"));
        byte[] body = "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"x\",\"name\":\"".concat("a".repeat(size))
            .concat("\"}]}").getBytes(StandardCharsets.UTF_8);
        yield post("huge gzipped string " + size, "/v1/batch", h, Bytes.gzip(body), status(413));
      }
    };
  }

  private FuzzCase hugeString(boolean asKey) {
    int length = payloads.pick(List.of(8_000, 8_192, 8_193, 10_000, 20_000, 100_000, 1_000_000));
    String c = payloads.pick(List.of("a", "é", "用"));
    Valid v = valid();
    Obj call = v.call(r);
    String big = c.repeat(length);
    if (asKey) {
      call.put(big, 1L);
    } else {
      call.put("note", big);
    }
    byte[] body = Json.bytes(v.body());
    int callBytes = Json.bytes(call).length;
    // the order the server checks in: request size, a single call's size, then while parsing the
    // string length, then (in a batch) each call's size
    Expect expect = body.length > MAX_REQUEST_BYTES ? status(413)
        : !v.batch() && callBytes > MAX_EVENT_BYTES ? status(413)
        // a key's limit counts UTF-8 bytes, a value's counts characters (as Jackson measures them)
        : (asKey ? big.getBytes(java.nio.charset.StandardCharsets.UTF_8).length : length) > MAX_STRING ? status(400)
        : callBytes > MAX_EVENT_BYTES ? status(413)
        : status(200);
    return post("huge " + (asKey ? "key " : "string ") + length + "x" + c, v.path(), basicAuthJson(), body, expect);
  }

  private FuzzCase hugeBatch() {
    int n = payloads.pick(List.of(2_501, 3_000, 10_000, 2_500, 2_501, 10_000));
    String item = "{\"type\":\"page\",\"anonymousId\":\"huge-" + tag + "\"}";
    String body = "{\"batch\":[" + String.join(",", Collections.nCopies(n, item)) + "]}";
    return post("huge batch " + n, "/v1/batch", basicAuthJson(), Bytes.utf8(body),
        status(n > MAX_BATCH ? 413 : 200));
  }

  private FuzzCase manyProperties() {
    int n = payloads.pick(List.of(199, 200, 201, 1_000));
    Obj props = new Obj();
    for (int i = 0; i < n; i++) {
      props.put("k" + i, (long) i);
    }
    Obj call = payloads.call(EventType.TRACK, false, tag);
    call.put("properties", props);
    return post("many properties " + n, "/v1/track", basicAuthJson(), Json.bytes(call),
        status(n > MAX_PROPERTIES ? 400 : 200));
  }

  private FuzzCase bigArray() {
    int n = payloads.pick(List.of(10_000, 100_000));
    Valid v = valid();
    Obj call = v.call(r);
    call.put("numbers", new Raw("[" + "1,".repeat(n - 1) + "1]"));
    byte[] body = Json.bytes(v.body());
    return post("big array " + n, v.path(), basicAuthJson(), body,
        status(Json.bytes(call).length > MAX_EVENT_BYTES ? 413 : 200));
  }

  FuzzCase contentType() {
    String type = payloads.pick(List.of("application/json", "text/plain", "application/xml",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json;charset=utf-16",
        " application/json ", "APPLICATION/JSON", "application/json, text/plain", "application/jsonx",
        "text/plain; charset=\"utf-8\"", ";", "application/", "*/*", "application/vnd.segment+json", "text/html",
        "application/json;", "text/plain;;;", "json", "", "   ", "a".repeat(3000)));
    List<Header> h = headers("Authorization", basic(writeKey), "Content-Type", type);
    String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean ok = type.isBlank() || media.equals("application/json") || media.equals("text/plain")
        || media.equals("application/x-www-form-urlencoded");
    Valid v = valid();
    return post("content-type", v.path(), h, Json.bytes(v.body()), ok ? status(200) : status(415));
  }

  FuzzCase contentEncoding() {
    Valid v = valid();
    byte[] json = Json.bytes(v.body());
    List<Header> h = basicAuthJson();
    switch (r.nextInt(11)) {
      case 0 -> {
        h.add(new Header("Content-Encoding", payloads.pick(List.of("gzip", "x-gzip", "GZIP", " gzip "))));
        return post("gzip", v.path(), h, Bytes.gzip(json), status(200));
      }
      case 1 -> {
        h.add(new Header("Content-Encoding", payloads.pick(List.of("identity", "", "IDENTITY"))));
        return post("identity", v.path(), h, json, status(200));
      }
      case 2 -> {
        h.add(new Header("Content-Encoding", payloads.pick(List.of("deflate", "br", "compress", "gzip, gzip",
            "gzip;q=1", "*", "zstd", "gzip,identity", "chunked", "ü"))));
        return post("unsupported encoding", v.path(), h, Bytes.gzip(json), status(415));
      }
      case 3 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        return post("gzip header, plain body", v.path(), h, json, status(400));
      }
      case 4 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        byte[] gz = Bytes.gzip(json);
        return post("truncated gzip", v.path(), h, Arrays.copyOf(gz, r.nextInt(gz.length)), status(400));
      }
      case 5 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        return post("corrupt gzip", v.path(), h, Bytes.havoc(r, Bytes.gzip(json)), anything());
      }
      case 6 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        return post("gzip of gzip", v.path(), h, Bytes.gzip(Bytes.gzip(json)), status(400));
      }
      case 7 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        return post("gzip of garbage", v.path(), h, Bytes.gzip(Bytes.havoc(r, Bytes.utf8("{]"))), status(400));
      }
      case 8 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        int zeros = payloads.pick(List.of(512_001, 1_000_000, 10_000_000));
        return post("gzip bomb " + zeros, v.path(), h, Bytes.gzipZeros(zeros), status(413));
      }
      case 9 -> {
        h.add(new Header("Content-Encoding", "gzip"));
        return post("gzip with trailing bytes", v.path(), h,
            Bytes.concat(Bytes.gzip(json), Bytes.random(r, 1 + r.nextInt(30))), anything());
      }
      default -> {
        // a batch padded with spaces to the limit exactly, or one byte over it
        int size = MAX_REQUEST_BYTES + (r.nextBoolean() ? 0 : 1);
        Obj batch = payloads.batch(tag, false);
        byte[] padded = Arrays.copyOf(Json.bytes(batch), size);
        Arrays.fill(padded, Json.bytes(batch).length, size, (byte) ' ');
        h.add(new Header("Content-Encoding", "gzip"));
        return post("gzip to " + size + " bytes", "/v1/batch", h, Bytes.gzip(padded),
            status(size > MAX_REQUEST_BYTES ? 413 : 200));
      }
    }
  }
}
