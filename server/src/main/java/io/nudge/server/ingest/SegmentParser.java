package io.nudge.server.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.engine.Event;
import io.nudge.engine.Event.EventType;
import io.nudge.engine.InvalidInputException;
import io.nudge.server.http.ApiError;
import io.nudge.server.http.JsonBodies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Reads Segment-spec request bodies ({@code /v1/batch}, {@code /v1/track} and the other calls) into
 * engine {@link Event}s, or says exactly what is wrong with them. Pure and thread-safe: no I/O, no
 * Vert.x.
 *
 * <p>Reading happens in two steps so that a write key sent in the body can be checked before the
 * events are built: {@link #readBatch}/{@link #read} check the JSON and the limits, then
 * {@link #events} validates each call and builds the events. {@link #parseBatch} and {@link #parse}
 * do both at once.
 *
 * <p>Every failure is an {@link ApiError}: 413 for bytes and batch size over a limit, 400 otherwise,
 * naming the field and, in a batch, the item's {@code index}.
 *
 * <p>Bodies are read token by token straight into what events need ({@link CallFields}), without a
 * Jackson tree: building trees and copying them into maps was a sixth of the event loop's time. Every
 * string and number is still taken from the parser as the tree reader took it, so every limit and
 * every message is as it was.
 */
public final class SegmentParser {
  private static final int SOURCE_ID_HEX_CHARS = 12;

  private final IngestLimits limits;
  private final ConsentCategories categories;
  private final ObjectMapper mapper;
  private final EventReader reader;

  /** A parser that honours browser privacy signals. */
  public SegmentParser(IngestLimits limits, ConsentCategories categories) {
    this(limits, categories, true);
  }

  /**
   * @param honourSignals whether Global Privacy Control and Do Not Track deny analytics and
   *     personalisation ({@code NUDGE_PRIVACY_SIGNALS})
   */
  public SegmentParser(IngestLimits limits, ConsentCategories categories, boolean honourSignals) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.categories = Objects.requireNonNull(categories, "categories");
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(limits.maxNestingDepth())
            .maxStringLength(limits.maxStringLength())
            .maxNameLength(limits.maxStringLength())
            .maxDocumentLength(limits.maxRequestBytes())
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // error locations must never quote the body back: it may hold personal data
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
    this.mapper = new ObjectMapper(factory);
    this.reader = new EventReader(limits, categories, honourSignals);
  }

  public IngestLimits limits() {
    return limits;
  }

  public ConsentCategories categories() {
    return categories;
  }

  /**
   * The id stored as an event's {@code source} for a write key: the first 12 hex digits of its
   * SHA-256, so sources stay apart without the key itself being stored or logged.
   */
  public static String sourceId(String writeKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(writeKey.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, SOURCE_ID_HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads and builds a {@code /v1/batch} body in one step. */
  public List<Event> parseBatch(byte[] body, Instant receivedAt, String source) {
    return events(readBatch(body), receivedAt, source);
  }

  /** Reads and builds the body of a single call ({@code /v1/track} and so on) in one step. */
  public List<Event> parse(EventType type, byte[] body, Instant receivedAt, String source) {
    return events(read(type, body), receivedAt, source);
  }

  /**
   * Checks a {@code /v1/batch} body: its size, that it is one JSON object within the nesting, string
   * and duplicate-key rules, and that {@code batch} is a non-empty array of objects, each within the
   * event size, and no more of them than the batch limit.
   */
  public Payload readBatch(byte[] body) {
    return readJson(body, null);
  }

  /** Checks the body of a single call of the given type: its size and that it is one JSON object. */
  public Payload read(EventType type, byte[] body) {
    Objects.requireNonNull(type, "type");
    return readJson(body, type);
  }

  /**
   * Validates every call in the payload and builds its events, in order.
   *
   * @param receivedAt when the request arrived, for the clock-skew correction
   * @param source the sending source's id ({@link #sourceId}), stored with each event
   */
  public List<Event> events(Payload payload, Instant receivedAt, String source) {
    return events(payload, receivedAt, source, false);
  }

  /**
   * @param privacySignal the request carried {@code Sec-GPC: 1} or {@code DNT: 1}: unless the parser
   *     ignores signals, every event of it denies analytics and personalisation
   */
  public List<Event> events(Payload payload, Instant receivedAt, String source, boolean privacySignal) {
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(source, "source");
    EventReader.Envelope envelope = reader.envelope(payload.root, payload.endpoint == null, privacySignal);
    List<Event> events = new ArrayList<>(payload.items.size());
    for (int i = 0; i < payload.items.size(); i++) {
      try {
        events.add(reader.read(payload.items.get(i), payload.endpoint, envelope, receivedAt, source));
      } catch (ApiError e) {
        throw payload.endpoint == null ? e.atIndex(i) : e;
      } catch (InvalidInputException e) {
        ApiError error = ApiError.badRequest(e.getMessage());
        throw payload.endpoint == null ? error.atIndex(i) : error;
      }
    }
    return events;
  }

  private Payload readJson(byte[] body, EventType endpoint) {
    Objects.requireNonNull(body, "body");
    if (body.length > limits.maxRequestBytes()) {
      throw ApiError.tooLarge("request body is " + body.length + " bytes, over the " + limits.maxRequestBytes()
          + "-byte limit (" + IngestLimits.MAX_REQUEST_BYTES + ")");
    }
    if (endpoint != null && body.length > limits.maxEventBytes()) {
      throw eventTooLarge(body.length);
    }
    JsonBodies.checkUtf8(body);
    JsonParser parser = null;
    try {
      parser = mapper.getFactory().createParser(body);
      return endpoint == null ? readBatchEnvelope(parser) : readSingle(parser, endpoint);
    } catch (StreamConstraintsException e) {
      throw constraintError(e, parser);
    } catch (JsonProcessingException e) {
      throw syntaxError(e, parser);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory cannot fail", e);
    } finally {
      JsonBodies.closeQuietly(parser);
    }
  }

  private Payload readSingle(JsonParser parser, EventType endpoint) throws IOException {
    JsonToken first = parser.nextToken();
    if (first != JsonToken.START_OBJECT) {
      if (first != null) {
        // read it whole first, as ever, so that a syntax error in it is what the sender hears of
        mapper.readTree(parser);
      }
      throw ApiError.badRequest("body must be a JSON object");
    }
    CallFields call = CallFields.read(parser);
    checkNoTrailingContent(parser);
    return new Payload(endpoint, call, List.of(call));
  }

  /**
   * Reads the batch envelope token by token, so that each item's size in bytes is known as sent
   * and items past the batch limit are counted without being built.
   */
  private Payload readBatchEnvelope(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      throw ApiError.badRequest("body must be a JSON object");
    }
    CallFields root = CallFields.empty();
    List<CallFields> items = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (name.equals("batch") && value == JsonToken.START_ARRAY) {
        items = readItems(parser);
      } else {
        root.readField(name, parser);
      }
    }
    checkNoTrailingContent(parser);
    if (items == null || items.isEmpty()) {
      throw ApiError.badField("batch", "batch must be a non-empty array");
    }
    return new Payload(null, root, items);
  }

  private List<CallFields> readItems(JsonParser parser) throws IOException {
    List<CallFields> items = new ArrayList<>();
    int count = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (count >= limits.maxBatchEvents()) {
        parser.skipChildren();
        count++;
        continue;
      }
      if (token != JsonToken.START_OBJECT) {
        throw ApiError.badRequest("batch item must be a JSON object").atIndex(count);
      }
      long start = parser.currentTokenLocation().getByteOffset();
      CallFields item = CallFields.read(parser);
      long bytes = parser.currentLocation().getByteOffset() - start;
      if (bytes > limits.maxEventBytes()) {
        throw eventTooLarge(bytes).atIndex(count);
      }
      items.add(item);
      count++;
    }
    if (count > limits.maxBatchEvents()) {
      throw ApiError.tooLarge("batch has " + count + " events, over the " + limits.maxBatchEvents()
          + "-event limit (" + IngestLimits.MAX_BATCH_EVENTS + ")");
    }
    return items;
  }

  private static void checkNoTrailingContent(JsonParser parser) throws IOException {
    if (parser.nextToken() != null) {
      JsonLocation at = parser.currentTokenLocation();
      throw ApiError.badRequest("body is not valid JSON: content after the end of the object"
          + JsonBodies.lineColumn(at));
    }
  }

  private ApiError eventTooLarge(long bytes) {
    return ApiError.tooLarge("event is " + bytes + " bytes, over the " + limits.maxEventBytes()
        + "-byte limit (" + IngestLimits.MAX_EVENT_BYTES + ")");
  }

  private ApiError constraintError(StreamConstraintsException e, JsonParser parser) {
    String jackson = String.valueOf(e.getOriginalMessage());
    String message;
    if (jackson.startsWith("Document nesting depth")) {
      message = "nesting is deeper than the " + limits.maxNestingDepth() + "-level limit ("
          + IngestLimits.MAX_NESTING_DEPTH + ")";
    } else if (jackson.startsWith("String value length")) {
      message = "string is longer than the " + limits.maxStringLength() + "-character limit ("
          + IngestLimits.MAX_STRING_LENGTH + ")";
    } else if (jackson.startsWith("Name length")) {
      message = "key is longer than the " + limits.maxStringLength() + "-byte limit ("
          + IngestLimits.MAX_STRING_LENGTH + ")";
    } else if (jackson.startsWith("Document length")) {
      message = "request body is over the " + limits.maxRequestBytes() + "-byte limit ("
          + IngestLimits.MAX_REQUEST_BYTES + ")";
      return ApiError.tooLarge(message);
    } else {
      message = "body is not valid JSON: " + JsonBodies.reason(jackson) + JsonBodies.lineColumn(e.getLocation());
    }
    return JsonBodies.located(message, parser, "batch");
  }

  private static ApiError syntaxError(JsonProcessingException e, JsonParser parser) {
    String jackson = String.valueOf(e.getOriginalMessage());
    if (jackson.startsWith("Duplicate field '") && parser != null) {
      String key = parser.getParsingContext().getCurrentName();
      return JsonBodies.located("duplicate key " + EventReader.quote(key), parser, "batch");
    }
    return ApiError.badRequest("body is not valid JSON: " + JsonBodies.reason(jackson) + JsonBodies.lineColumn(e.getLocation()));
  }

  /**
   * A body that passed the JSON and size checks, before its calls are validated. Tells the write key
   * sent in the body, if any.
   */
  public static final class Payload {
    private final EventType endpoint;
    private final CallFields root;
    private final List<CallFields> items;

    private Payload(EventType endpoint, CallFields root, List<CallFields> items) {
      this.endpoint = endpoint;
      this.root = root;
      this.items = items;
    }

    /** The body's {@code writeKey} when it is a non-blank string, or null. */
    public String writeKey() {
      // a string is kept as a String; any other value is no key
      return root.get("writeKey") instanceof String key && !key.isBlank() ? key : null;
    }

    /** How many calls the body holds. */
    public int size() {
      return items.size();
    }
  }
}
