package io.nudge.server.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What must hold for every answer: no 5xx; the status the case pins, if any; every 4xx a JSON error
 * of the documented shape; a 2xx only for input an independent oracle finds valid.
 */
final class Invariants {
  private static final Set<String> ERROR_KEYS = Set.of("error", "field", "index");
  private static final Set<String> PURPOSES = Set.of("analytics", "personalization", "proactive_chat", "callback");
  /** docs/api.md: {@code GET is not allowed on /v1/batch}, the one message that starts with a method name. */
  private static final Pattern METHOD_NOT_ALLOWED = Pattern.compile("[A-Z]+ is not allowed on .*", Pattern.DOTALL);
  private static final ObjectMapper LENIENT = new ObjectMapper();
  /** The documented ingestion limits, enforced by a parser of our own. */
  private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(FuzzCases.MAX_DEPTH)
          .maxStringLength(FuzzCases.MAX_STRING)
          .maxNameLength(FuzzCases.MAX_STRING)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());

  private Invariants() {}

  /** Why the answer breaks an invariant, or null when it does not. */
  static String violation(FuzzCase c, Answer a) {
    int status = a.status();
    if (status >= 500) {
      return "server error " + status + ": " + text(a.body());
    }
    if (c.expect().status() != 0 && status != c.expect().status()) {
      return "expected " + c.expect().status() + ", got " + status + ": " + text(a.body());
    }
    if (status / 100 == 2) {
      return c.expect().mayAccept() ? acceptedViolation(c, a) : "accepted invalid input with " + status;
    }
    if (status / 100 == 4) {
      return errorViolation(c, a);
    }
    return "unexpected status " + status + ": " + text(a.body());
  }

  private static String errorViolation(FuzzCase c, Answer a) {
    if (a.status() == 401 && a.header("WWW-Authenticate") == null) {
      return "401 without WWW-Authenticate";
    }
    if (a.status() == 429 && a.header("Retry-After") == null) {
      return "429 without Retry-After";
    }
    if (c.method().equals("HEAD")) {
      return null;
    }
    String type = a.header("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return a.status() + " with content type " + type + ", not JSON: " + text(a.body());
    }
    JsonNode json;
    try {
      json = LENIENT.readTree(a.body());
    } catch (IOException e) {
      return a.status() + " body is not JSON: " + text(a.body());
    }
    if (json == null || !json.isObject() || !json.path("error").isTextual()) {
      return a.status() + " body has no \"error\" string: " + text(a.body());
    }
    String message = json.get("error").textValue();
    if (message.isEmpty()) {
      return a.status() + " with an empty error message";
    }
    if (!Character.isLowerCase(message.codePointAt(0)) && !METHOD_NOT_ALLOWED.matcher(message).matches()) {
      return a.status() + " error message does not start in lower case: " + text(a.body());
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ERROR_KEYS.contains(name)) {
        return a.status() + " error has an undocumented key \"" + name + "\": " + text(a.body());
      }
    }
    // the field may be "": a JSON key can be empty, and then the offending field is named ""
    if (json.has("field") && !json.get("field").isTextual()) {
      return a.status() + " error with a field that is not a string: " + text(a.body());
    }
    if (json.has("index") && (!json.get("index").canConvertToInt() || json.get("index").intValue() < 0)) {
      return a.status() + " error with an index that is not a whole number from 0: " + text(a.body());
    }
    return null;
  }

  private static String acceptedViolation(FuzzCase c, Answer a) {
    switch (c.target()) {
      case INGEST:
        if (!text(a.body()).equals("{\"success\":true}")) {
          return "ingestion answered " + a.status() + " with " + text(a.body());
        }
        String why = ingestOracle(c);
        return why == null ? null : "accepted (" + a.status() + ") " + why;
      case CONSENT_PUT:
        if (!jsonObjectWith(a.body(), "customerId")) {
          return "consent PUT answered " + a.status() + " with " + text(a.body());
        }
        String consent = consentOracle(c.body());
        return consent == null ? null : "accepted (" + a.status() + ") " + consent;
      case ADMIN_GET:
        return jsonObjectWith(a.body(), "customerId") ? null : "admin GET answered " + text(a.body());
      default:
        // a near miss of an ingestion path may still be routed to one (a query, a trailing slash)
        if (text(a.body()).equals("{\"success\":true}")) {
          String route = c.path().split("[?#;]", 2)[0];
          boolean batch = route.contains("batch") || route.matches(".*/b/?");
          String ingest = ingestOracle(c, batch);
          return ingest == null ? null : "accepted (" + a.status() + ") on " + c.path() + " " + ingest;
        }
        return null;
    }
  }

  /** Null when a body could be valid Segment input as documented; else what is wrong with it. */
  static String ingestOracle(FuzzCase c) {
    return ingestOracle(c, c.path().equals("/v1/batch") || c.path().equals("/v1/b"));
  }

  static String ingestOracle(FuzzCase c, boolean batch) {
    byte[] body = c.body();
    String encoding = c.header("Content-Encoding");
    if (encoding != null && Set.of("gzip", "x-gzip").contains(encoding.trim().toLowerCase(Locale.ROOT))) {
      body = gunzip(body);
      if (body == null) {
        return "a body that is not valid gzip, or inflates past the request limit";
      }
    }
    if (body.length > FuzzCases.MAX_REQUEST_BYTES) {
      return "a body of " + body.length + " bytes, over the request limit";
    }
    if (!batch && body.length > FuzzCases.MAX_EVENT_BYTES) {
      return "a single call of " + body.length + " bytes, over the event limit";
    }
    if (!maybeUtf16or32(body) && !isUtf8(body)) {
      return "a body that is not valid UTF-8";
    }
    JsonNode root;
    try (JsonParser p = STRICT.getFactory().createParser(body)) {
      root = STRICT.readTree(p);
      if (p.nextToken() != null) {
        return "a body with content after the JSON value";
      }
    } catch (IOException e) {
      return "a body our strict parser refuses: " + reason(e);
    }
    if (root == null || !root.isObject()) {
      return "a body that is not a JSON object";
    }
    if (batch && (!root.path("batch").isArray() || root.path("batch").isEmpty())) {
      return "a batch without a non-empty batch array";
    }
    return null;
  }

  /** Null when a consent PUT body is valid as documented; else what is wrong with it. */
  static String consentOracle(byte[] body) {
    JsonNode root;
    try (JsonParser p = STRICT.getFactory().createParser(body)) {
      root = STRICT.readTree(p);
      if (p.nextToken() != null) {
        return "a body with content after the JSON value";
      }
    } catch (IOException e) {
      return "a body our strict parser refuses: " + reason(e);
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      return "a body that is not a non-empty JSON object";
    }
    for (java.util.Map.Entry<String, JsonNode> e : root.properties()) {
      JsonNode v = e.getValue();
      boolean choice = v.isBoolean() || v.isTextual() && Set.of("granted", "denied").contains(v.textValue());
      if (!PURPOSES.contains(e.getKey().toLowerCase(Locale.ROOT)) || !choice) {
        return "a body with \"" + e.getKey() + "\": " + v;
      }
    }
    return null;
  }

  private static String reason(IOException e) {
    String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return String.valueOf(m).lines().findFirst().orElse("");
  }

  private static boolean jsonObjectWith(byte[] body, String key) {
    try {
      JsonNode json = LENIENT.readTree(body);
      return json != null && json.isObject() && json.path(key).isTextual();
    } catch (IOException e) {
      return false;
    }
  }

  /** Jackson reads UTF-16 and UTF-32 too, telling them by a BOM or zero bytes at the start. */
  private static boolean maybeUtf16or32(byte[] b) {
    if (b.length >= 2 && ((b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff || (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe)) {
      return true;
    }
    for (int i = 0; i < Math.min(4, b.length); i++) {
      if (b[i] == 0) {
        return true;
      }
    }
    return false;
  }

  static boolean isUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The gunzipped bytes, or null when they are no gzip or inflate past the request limit. */
  static byte[] gunzip(byte[] gz) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        out.write(chunk, 0, n);
        if (out.size() > FuzzCases.MAX_REQUEST_BYTES) {
          return null;
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      return null;
    }
  }

  static String text(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
