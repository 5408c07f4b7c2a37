package io.nudge.server.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON to write what a fuzzer needs and a JSON library will not: objects with the same
 * key twice, tokens such as {@code 1e999}, strings with lone surrogates. Values are {@link Obj},
 * {@link List}, {@link String}, {@link Number}, {@link Boolean}, {@link Raw} or null.
 */
final class Json {
  private Json() {}

  /** Text written as is. */
  record Raw(String text) {}

  /** An object that keeps its keys in order and may hold one key twice. */
  static final class Obj {
    final List<String> keys = new ArrayList<>();
    final List<Object> values = new ArrayList<>();

    static Obj of(Object... keysAndValues) {
      Obj o = new Obj();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        o.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return o;
    }

    /** Sets the key, replacing its value if present. */
    Obj put(String key, Object value) {
      int i = keys.indexOf(key);
      if (i >= 0) {
        values.set(i, value);
      } else {
        keys.add(key);
        values.add(value);
      }
      return this;
    }

    /** Adds the key even if present: the one way to a duplicate key. */
    Obj add(String key, Object value) {
      keys.add(key);
      values.add(value);
      return this;
    }

    Object get(String key) {
      int i = keys.indexOf(key);
      return i < 0 ? null : values.get(i);
    }

    boolean has(String key) {
      return keys.contains(key);
    }

    void remove(String key) {
      int i = keys.indexOf(key);
      if (i >= 0) {
        keys.remove(i);
        values.remove(i);
      }
    }

    int size() {
      return keys.size();
    }
  }

  static byte[] bytes(Object value) {
    return text(value).getBytes(StandardCharsets.UTF_8);
  }

  static String text(Object value) {
    StringBuilder s = new StringBuilder();
    write(s, value);
    return s.toString();
  }

  private static void write(StringBuilder s, Object v) {
    if (v == null) {
      s.append("null");
    } else if (v instanceof Raw r) {
      s.append(r.text());
    } else if (v instanceof String str) {
      string(s, str);
    } else if (v instanceof Number || v instanceof Boolean) {
      s.append(v);
    } else if (v instanceof Obj o) {
      s.append('{');
      for (int i = 0; i < o.keys.size(); i++) {
        s.append(i == 0 ? "" : ",");
        string(s, o.keys.get(i));
        s.append(':');
        write(s, o.values.get(i));
      }
      s.append('}');
    } else if (v instanceof List<?> list) {
      s.append('[');
      for (int i = 0; i < list.size(); i++) {
        s.append(i == 0 ? "" : ",");
        write(s, list.get(i));
      }
      s.append(']');
    } else if (v instanceof Map<?, ?>) {
      throw new IllegalArgumentException("use Obj, not Map: a Map cannot hold a key twice");
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }
  }

  /** Quotes and escapes; lone surrogates become \\u escapes, which JSON allows and UTF-8 cannot carry. */
  static void string(StringBuilder s, String str) {
    s.append('"');
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < str.length()
          && Character.isLowSurrogate(str.charAt(i + 1));
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c) && !paired && !isLowAfterHigh(str, i)) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    s.append('"');
  }

  private static boolean isLowAfterHigh(String str, int i) {
    return Character.isLowSurrogate(str.charAt(i)) && i > 0 && Character.isHighSurrogate(str.charAt(i - 1));
  }
}
