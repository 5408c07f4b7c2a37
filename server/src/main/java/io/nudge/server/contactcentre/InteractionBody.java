package io.nudge.server.contactcentre;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.JsonBodies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

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
    JsonBodies.checkUtf8(body);
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
        throw JsonBodies.located("nesting is deeper than the " + MAX_NESTING_DEPTH + "-level limit", parser, BATCH);
      }
      throw ApiError.badRequest("body is not valid JSON: " + JsonBodies.reason(jackson) + JsonBodies.lineColumn(e.getLocation()));
    } catch (JsonProcessingException e) {
      String jackson = String.valueOf(e.getOriginalMessage());
      if (jackson.startsWith("Duplicate field '") && parser != null) {
        throw JsonBodies.located("duplicate key " + quote(parser.getParsingContext().getCurrentName()), parser, BATCH);
      }
      throw ApiError.badRequest("body is not valid JSON: " + JsonBodies.reason(jackson) + JsonBodies.lineColumn(e.getLocation()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory cannot fail", e);
    } finally {
      JsonBodies.closeQuietly(parser);
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
    throw ApiError.badRequest("body is not valid JSON: content after the end of the object" + JsonBodies.lineColumn(at));
  }

  /** A value for a message: quoted, escaped, cut to 64 characters so a huge value is not echoed whole. */
  static String quote(String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"");
    return "\"" + (escaped.length() <= 64 ? escaped : escaped.substring(0, 64) + "...") + "\"";
  }
}
