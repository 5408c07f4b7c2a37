package io.nudge.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields ingestion reads of one Segment call, or of a batch's envelope, taken from the JSON
 * stream as sent. Nothing is validated here: {@link EventReader} does that once the write key is
 * checked. Other fields are read through (so the parser's limits apply to them) and dropped.
 *
 * <p>A value is null when the field is absent, a String when it is a string, and otherwise:
 * {@code properties} and {@code traits} objects as the plain maps events carry ({@link PlainJson});
 * a {@code context} object as a map of what ingestion reads of it ({@link #context}); anything else
 * as the Jackson node the tree reader would have made of it, JSON null included.
 */
final class CallFields {
  private static final int PROPERTIES = 11;
  private static final int TRAITS = 12;
  private static final int CONTEXT = 13;
  private static final int COUNT = 15;

  /** What ingestion reads of a {@code context}: key, then what it reads of that key's value. */
  private static final Shape CONTEXT_SHAPE = Shape.of(Map.of(
      "page", Shape.leaves("path", "url", "title", "referrer", "search"),
      "userAgent", Shape.LEAF,
      "locale", Shape.LEAF,
      "timezone", Shape.LEAF,
      "campaign", Shape.leaves("source", "medium", "name", "term", "content"),
      "consent", Shape.of(Map.of("categoryPreferences", Shape.ANY_KEY)),
      "gpc", Shape.LEAF,
      "privacy", Shape.leaves("gpc")));

  private final Object[] values = new Object[COUNT];

  private CallFields() {}

  /** Reads the object at the parser's {@code START_OBJECT}, leaving the parser at its {@code END_OBJECT}. */
  static CallFields read(JsonParser parser) throws IOException {
    CallFields fields = new CallFields();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      fields.readField(name, parser);
    }
    return fields;
  }

  /** Fields to fill one by one with {@link #readField}, as a batch envelope is read. */
  static CallFields empty() {
    return new CallFields();
  }

  /** The value of the field {@code name} at the parser: kept when ingestion reads it, else read through. */
  void readField(String name, JsonParser parser) throws IOException {
    int slot = slot(name);
    if (slot < 0) {
      PlainJson.skip(parser);
      return;
    }
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_STRING) {
      values[slot] = parser.getText();
    } else if (token == JsonToken.START_OBJECT && (slot == PROPERTIES || slot == TRAITS)) {
      values[slot] = PlainJson.map(parser);
    } else if (token == JsonToken.START_OBJECT && slot == CONTEXT) {
      values[slot] = context(parser, CONTEXT_SHAPE);
    } else if (token.isStructStart()) {
      // a call sent with an object or array where a string belongs: rare, and only read for the error
      values[slot] = parser.readValueAsTree();
    } else {
      values[slot] = PlainJson.scalarNode(parser);
    }
  }

  /** The value of a field ingestion reads ({@code "anonymousId"}, {@code "context"}...), or null when absent. */
  Object get(String name) {
    int slot = slot(name);
    if (slot < 0) {
      throw new IllegalArgumentException("ingestion does not read " + name);
    }
    return values[slot];
  }

  private static int slot(String name) {
    return switch (name) {
      case "type" -> 0;
      case "anonymousId" -> 1;
      case "userId" -> 2;
      case "messageId" -> 3;
      case "timestamp" -> 4;
      case "originalTimestamp" -> 5;
      case "sentAt" -> 6;
      case "event" -> 7;
      case "name" -> 8;
      case "groupId" -> 9;
      case "previousId" -> 10;
      case "properties" -> PROPERTIES;
      case "traits" -> TRAITS;
      case "context" -> CONTEXT;
      case "writeKey" -> 14;
      default -> -1;
    };
  }

  /**
   * An object of the context, keeping the keys the shape names. Of a value kept: a string is a
   * String, an object a map (an empty one where ingestion only asks whether it is an object), an
   * array an empty array node (ingestion never looks inside), any other value its node.
   */
  private static Map<String, Object> context(JsonParser parser, Shape shape) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      Shape inner = shape.inner(key);
      if (inner == null) {
        PlainJson.skip(parser);
      } else {
        map.put(key, contextValue(parser, inner));
      }
    }
    return map;
  }

  private static Object contextValue(JsonParser parser, Shape shape) throws IOException {
    switch (parser.currentToken()) {
      case VALUE_STRING:
        return parser.getText();
      case START_OBJECT:
        if (shape == Shape.LEAF) {
          PlainJson.skip(parser);
          return Map.of();
        }
        return context(parser, shape);
      case START_ARRAY:
        PlainJson.skip(parser);
        return JsonNodeFactory.instance.arrayNode();
      default:
        return PlainJson.scalarNode(parser);
    }
  }

  /**
   * Which keys of an object ingestion reads, and what it reads of each value; a leaf is read as a
   * value only.
   */
  private record Shape(Map<String, Shape> keys, boolean anyKey) {
    static final Shape LEAF = new Shape(Map.of(), false);
    static final Shape ANY_KEY = new Shape(Map.of(), true);

    static Shape of(Map<String, Shape> keys) {
      return new Shape(keys, false);
    }

    static Shape leaves(String... keys) {
      Map<String, Shape> map = new LinkedHashMap<>();
      for (String key : keys) {
        map.put(key, LEAF);
      }
      return new Shape(Map.copyOf(map), false);
    }

    /** The shape of the value under {@code key}, or null when ingestion never reads it. */
    Shape inner(String key) {
      return anyKey ? LEAF : keys.get(key);
    }
  }

  /** For {@link EventReader}: the value is absent or JSON null. */
  static boolean isNull(Object value) {
    return value == null || value instanceof JsonNode node && node.isNull();
  }
}
