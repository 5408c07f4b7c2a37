package io.nudge.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/** What every strict JSON body reader shares: UTF-8 checking and errors that say where and why. */
public final class JsonBodies {
  private JsonBodies() {}

  /**
   * JSON is UTF-8. Jackson decodes some malformed sequences (overlong forms, code points past
   * U+10FFFF) without complaint, which would give one id two spellings; a strict decoder refuses them.
   */
  public static void checkUtf8(byte[] body) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest("body is not valid UTF-8");
    }
  }

  /**
   * A 400 naming the field the parser was at, as {@code properties.items[2].sku}; inside the array
   * named {@code batchField} the item's position becomes the error's {@code index}.
   */
  public static ApiError located(String message, JsonParser parser, String batchField) {
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
    if (segments.size() >= 2 && batchField.equals(segments.get(0)) && segments.get(1) instanceof Integer i) {
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
  public static String reason(String jackson) {
    String s = jackson == null ? "" : jackson.lines().findFirst().orElse("").trim();
    int source = s.indexOf("[Source");
    if (source >= 0) {
      // "... (for Array starting at [Source: ...; line: 1, column: 10])": drop the whole aside
      int aside = s.lastIndexOf(" (", source);
      s = s.substring(0, aside >= 0 ? aside : source).trim();
    }
    return s.isEmpty() ? "malformed" : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }

  /** {@code " at line 3, column 7"}, or "" when not known. */
  public static String lineColumn(JsonLocation at) {
    return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  public static void closeQuietly(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException ignored) {
        // a parser over a byte array holds nothing to release
      }
    }
  }
}
