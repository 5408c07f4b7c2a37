package io.nudge.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jackson trees to the plain Java values the engine takes: String, Long, Double, Boolean, List, Map
 * and null. Whole numbers that fit a long are Longs; other numbers, decimals included, are Doubles.
 */
final class PlainJson {
  private PlainJson() {}

  /** An unmodifiable map in the object's key order; it may hold null values. */
  static Map<String, Object> map(JsonNode object) {
    Map<String, Object> map = new LinkedHashMap<>(Math.max(4, object.size() * 2));
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      map.put(e.getKey(), value(e.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  static Object value(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT:
        return map(node);
      case ARRAY:
        List<Object> list = new ArrayList<>(node.size());
        for (JsonNode element : node) {
          list.add(value(element));
        }
        return Collections.unmodifiableList(list);
      case STRING:
        return node.textValue();
      case NUMBER:
        return node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
      case BOOLEAN:
        return node.booleanValue();
      default:
        // NULL and MISSING; BINARY and POJO nodes never come out of the parser
        return null;
    }
  }
}
