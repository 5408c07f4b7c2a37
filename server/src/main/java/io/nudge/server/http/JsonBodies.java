package io.nudge.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonBodies() {}

  /**
   * The request's body as one JSON object ({@code application/json}, or no content type), read strictly:
   * a duplicate key, trailing data or another JSON value is refused.
   *
   * @throws ApiError 415 for another content type, 400 saying what is wrong with the body
   */
  public static JsonObject object(RoutingContext ctx) {
    return object(ctx, false);
  }

  /**
   * As {@link #object(RoutingContext)}; with {@code plainTextToo}, {@code text/plain} is read as JSON too,
   * as a page sends it to skip a CORS preflight.
   */
  public static JsonObject object(RoutingContext ctx, boolean plainTextToo) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.isEmpty() && !media.equals("application/json") && !(plainTextToo && media.equals("text/plain"))) {
      throw ApiError.unsupportedMediaType("content type \"" + shorten(media)
          + "\" is not supported: send application/json");
    }
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      throw ApiError.badRequest("body is empty: send a JSON object");
    }
    try {
      JsonNode parsed = STRICT.readTree(ctx.body().buffer().getBytes());
      if (parsed != null && parsed.isObject()) {
        return new JsonObject(ctx.body().buffer()); // strictly checked above
      }
      throw ApiError.badRequest("body must be a JSON object");
    } catch (StreamReadException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field '")) {
        String key = message.substring("Duplicate field '".length(), message.indexOf('\'', 17));
        throw ApiError.badField(shorten(key), "duplicate key \"" + shorten(key) + "\"");
      }
      throw ApiError.badRequest("body is not valid JSON");
    } catch (IOException | DecodeException e) {
      throw ApiError.badRequest("body is not valid JSON");
    }
  }

  /** A key or value as sent, cut to 64 characters so a huge one is not echoed back whole. */
  public static String shorten(String key) {
    return key.length() <= 64 ? key : key.substring(0, 64) + "...";
  }

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
