package io.nudge.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.nudge.engine.CompactMap;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * JSON read from a Jackson stream into the plain Java values the engine takes: String, Long, Double,
 * Boolean, List, Map and null. Whole numbers that fit a long are Longs; other numbers, decimals
 * included, are Doubles.
 *
 * <p>Every value is taken from the parser with the calls Jackson's tree reader makes for it (the text
 * of each string, each number by its type), so the parser's limits, string length above all, apply
 * exactly as they did when bodies were read into trees, without building the trees.
 */
final class PlainJson {
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private PlainJson() {}

  /**
   * The object at the parser's {@code START_OBJECT}, as an unmodifiable map in its key order; it may
   * hold null values. Leaves the parser at the object's {@code END_OBJECT}.
   */
  static Map<String, Object> map(JsonParser parser) throws IOException {
    CompactMap.Builder map = new CompactMap.Builder(); // an event's properties live as long as its raw event
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      map.put(key, value(parser));
    }
    return map.build();
  }

  /** The value at the parser's current token; a container is read up to its end. */
  static Object value(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT:
        return map(parser);
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(parser));
        }
        return Collections.unmodifiableList(list);
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return integral(parser);
      case VALUE_NUMBER_FLOAT:
        parser.getNumberType();
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      default:
        // VALUE_NULL; embedded objects never come out of a JSON parser
        return null;
    }
  }

  private static Object integral(JsonParser parser) throws IOException {
    switch (parser.getNumberType()) {
      case INT:
        return (long) parser.getIntValue();
      case LONG:
        return parser.getLongValue();
      default:
        BigInteger big = parser.getBigIntegerValue();
        return big.compareTo(LONG_MIN) >= 0 && big.compareTo(LONG_MAX) <= 0
            ? (Object) big.longValue() : (Object) big.doubleValue();
    }
  }

  /**
   * A scalar at the parser's current token as the node Jackson's tree reader makes of it; used where
   * ingestion needs a value's JSON type or text, for error messages above all.
   */
  static JsonNode scalarNode(JsonParser parser) throws IOException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    switch (parser.currentToken()) {
      case VALUE_STRING:
        return nodes.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        switch (parser.getNumberType()) {
          case INT:
            return nodes.numberNode(parser.getIntValue());
          case LONG:
            return nodes.numberNode(parser.getLongValue());
          default:
            return nodes.numberNode(parser.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        parser.getNumberType();
        return nodes.numberNode(parser.getDoubleValue());
      case VALUE_TRUE:
        return nodes.booleanNode(true);
      case VALUE_FALSE:
        return nodes.booleanNode(false);
      case VALUE_NULL:
        return nodes.nullNode();
      default:
        throw new IllegalStateException("not a scalar: " + parser.currentToken());
    }
  }

  /**
   * Reads through the value at the parser's current token and keeps nothing, taking each string and
   * number as {@link #value} does so that the same limits apply. Leaves the parser at the value's
   * last token.
   */
  static void skip(JsonParser parser) throws IOException {
    int depth = 0;
    JsonToken token = parser.currentToken();
    while (true) {
      switch (token) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        case VALUE_STRING -> parser.getText();
        case VALUE_NUMBER_INT -> integral(parser);
        case VALUE_NUMBER_FLOAT -> {
          parser.getNumberType();
          parser.getDoubleValue();
        }
        default -> {
          // names are read by the parser itself; true, false and null hold nothing more
        }
      }
      if (depth == 0) {
        return;
      }
      token = parser.nextToken();
    }
  }
}
