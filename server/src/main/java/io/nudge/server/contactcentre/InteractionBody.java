package io.nudge.server.contactcentre;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.server.http.ApiError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Reads the body of {@code POST /v1/interactions}: one interaction object, or
 * {@code {"interactions": [...]}}. Strict: UTF-8 only, no key twice, at most {@value #MAX_NESTING_DEPTH}
 * levels, nothing after the object. Pure; the fields are checked by {@link InteractionReader}.
 */
final class InteractionBody {
  static final int MAX_BYTES = 256 * 1024;
  static final int MAX_INTERACTIONS = 1000;
  static final int MAX_NESTING_DEPTH = 20;
  private static final String BATCH = "interactions";

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // error locations must never quote the body back: it may hold personal data
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build());

  /**
   * The interactions a body holds.
   *
   * @param batch true for {@code {"interactions": [...]}}: errors then name the item's index
   */
  record Items(List<JsonNode> items, boolean batch) {}

  private InteractionBody() {}

  static Items read(byte[] body) {
    if (body.length > MAX_BYTES) {
      throw tooLarge(body.length);
    }
    if (body.length == 0) {
      throw ApiError.badRequest("body is empty: send an interaction, or {\"interactions\": [...]}");
    }
    checkUtf8(body);
    JsonNode root = parse(body);
    if (root == null || !root.isObject()) {
      throw ApiError.badRequest("body must be a JSON object");
    }
    if (!root.has(BATCH)) {
      return new Items(List.of(root), false);
    }
    JsonNode list = root.get(BATCH);
    if (!list.isArray() || list.isEmpty()) {
      throw ApiError.badField(BATCH, "interactions must be a non-empty array");
    }
    if (list.size() > MAX_INTERACTIONS) {
      throw ApiError.tooLarge("batch has " + list.size() + " interactions, over the " + MAX_INTERACTIONS
          + "-interaction limit");
    }
    List<JsonNode> items = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!list.get(i).isObject()) {
        throw ApiError.badRequest("interaction must be a JSON object").atIndex(i);
      }
      items.add(list.get(i));
    }
    return new Items(items, true);
  }

  static ApiError tooLarge(long bytes) {
    return ApiError.tooLarge("request body is " + bytes + " bytes, over the " + MAX_BYTES + "-byte limit");
  }

  static ApiError tooLarge() {
    return ApiError.tooLarge("request body is over the " + MAX_BYTES + "-byte limit");
  }

  /** Jackson lets some malformed sequences through (overlong forms), which would give one id two spellings. */
  private static void checkUtf8(byte[] body) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest("body is not valid UTF-8");
    }
  }

  private static JsonNode parse(byte[] body) {
    JsonParser parser = null;
    try {
      parser = MAPPER.getFactory().createParser(body);
      JsonNode root = MAPPER.readTree(parser);
      if (root != null) {
        checkNothingAfter(parser);
      }
      return root;
    } catch (StreamConstraintsException e) {
      String jackson = String.valueOf(e.getOriginalMessage());
      if (jackson.startsWith("Document nesting depth")) {
        throw located("nesting is deeper than the " + MAX_NESTING_DEPTH + "-level limit", parser);
      }
      throw ApiError.badRequest("body is not valid JSON: " + reason(jackson) + lineColumn(e.getLocation()));
    } catch (JsonProcessingException e) {
      String jackson = String.valueOf(e.getOriginalMessage());
      if (jackson.startsWith("Duplicate field '") && parser != null) {
        throw located("duplicate key " + quote(parser.getParsingContext().getCurrentName()), parser);
      }
      throw ApiError.badRequest("body is not valid JSON: " + reason(jackson) + lineColumn(e.getLocation()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory cannot fail", e);
    } finally {
      closeQuietly(parser);
    }
  }

  private static void checkNothingAfter(JsonParser parser) throws IOException {
    JsonLocation at;
    try {
      if (parser.nextToken() == null) {
        return;
      }
      at = parser.currentTokenLocation();
    } catch (JsonProcessingException e) {
      at = e.getLocation(); // not even a token, such as a stray letter
    }
    throw ApiError.badRequest("body is not valid JSON: content after the end of the object" + lineColumn(at));
  }

  /** Names where the parser was: {@code customer.userId}, and in a batch the item's index. */
  private static ApiError located(String message, JsonParser parser) {
    Deque<Object> path = new ArrayDeque<>();
    for (JsonStreamContext c = parser == null ? null : parser.getParsingContext(); c != null && !c.inRoot();
        c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        path.addFirst(c.getCurrentName());
      } else if (c.inArray() && c.getCurrentIndex() >= 0) {
        path.addFirst(c.getCurrentIndex());
      }
    }
    List<Object> segments = new ArrayList<>(path);
    Integer index = null;
    if (segments.size() >= 2 && BATCH.equals(segments.get(0)) && segments.get(1) instanceof Integer i) {
      index = i;
      segments = segments.subList(2, segments.size());
    }
    StringBuilder field = new StringBuilder();
    for (Object s : segments) {
      if (s instanceof Integer i) {
        field.append('[').append(i).append(']');
      } else {
        field.append(field.length() == 0 ? "" : ".").append(s);
      }
    }
    ApiError error = field.length() == 0 ? ApiError.badRequest(message) : ApiError.badField(field.toString(), message);
    return index == null ? error : error.atIndex(index);
  }

  /** Jackson's reason, first letter lower case, without the location it appends. */
  private static String reason(String jackson) {
    String s = jackson.lines().findFirst().orElse("").trim();
    int source = s.indexOf("[Source");
    if (source >= 0) {
      int aside = s.lastIndexOf(" (", source);
      s = s.substring(0, aside >= 0 ? aside : source).trim();
    }
    return s.isEmpty() ? "malformed" : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }

  private static String lineColumn(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** A value for a message: quoted, escaped, cut to 64 characters so a huge value is not echoed whole. */
  static String quote(String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"");
    return "\"" + (escaped.length() <= 64 ? escaped : escaped.substring(0, 64) + "...") + "\"";
  }

  private static void closeQuietly(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException ignored) {
        // a parser over a byte array holds nothing to release
      }
    }
  }
}
