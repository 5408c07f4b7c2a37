package io.nudge.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.nudge.engine.Event;
import io.nudge.engine.Event.EventType;
import io.nudge.engine.Purpose;
import io.nudge.server.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Validates one Segment call, as {@link CallFields} took it from the body, and builds its
 * {@link Event}.
 */
final class EventReader {
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  private static final String TYPES =
      EventType.segmentCalls().stream().map(EventType::id).collect(Collectors.joining(", "));
  private static final int QUOTE_LIMIT = 64;

  private final IngestLimits limits;
  private final ConsentCategories categories;
  private final boolean honourSignals;

  /** What a privacy signal denies: analytics and personalisation. */
  private static final Map<io.nudge.engine.Purpose, Boolean> SIGNALLED = Map.of(
      io.nudge.engine.Purpose.ANALYTICS, false, io.nudge.engine.Purpose.PERSONALIZATION, false);

  EventReader(IngestLimits limits, ConsentCategories categories, boolean honourSignals) {
    this.honourSignals = honourSignals;
    this.limits = limits;
    this.categories = categories;
  }

  /** What a batch says for all its items: {@code sentAt} and a {@code context} under each item's. */
  record Envelope(Instant sentAt, Map<String, Object> context, boolean privacySignal) {}

  /** @param privacySignal the request came with {@code Sec-GPC: 1} or {@code DNT: 1} */
  Envelope envelope(CallFields root, boolean batch, boolean privacySignal) {
    if (!batch) {
      return new Envelope(null, null, privacySignal);
    }
    return new Envelope(instant(root, "sentAt"), object(root.get("context"), "context"), privacySignal);
  }

  /**
   * @param endpoint the type the path gives, or null in a batch, where each item says its type
   */
  Event read(CallFields call, EventType endpoint, Envelope envelope, Instant receivedAt, String source) {
    EventType type = type(call, endpoint);
    String anonymousId = id(call, "anonymousId");
    String userId = id(call, "userId");
    if (anonymousId == null && userId == null) {
      throw ApiError.badRequest("anonymousId or userId is required");
    }
    String messageId = id(call, "messageId");
    if (messageId == null) {
      messageId = "nudge-" + UUID.randomUUID();
    }
    Instant timestamp = timestamp(call, envelope, receivedAt);
    Map<String, Object> context = merge(envelope.context(), object(call.get("context"), "context"));
    return switch (type) {
      case TRACK -> new Event(messageId, source, type, anonymousId, userId, null,
          requiredText(call, "event", "event is required for track"), map(call, "properties"), null,
          timestamp, context(context, null, envelope));
      case PAGE, SCREEN -> new Event(messageId, source, type, anonymousId, userId, null,
          text(call.get("name"), "name"), map(call, "properties"), null, timestamp,
          context(context, type == EventType.PAGE ? object(call.get("properties"), "properties") : null, envelope));
      case IDENTIFY -> new Event(messageId, source, type, anonymousId, userId, null, null, null,
          map(call, "traits"), timestamp, context(context, null, envelope));
      case GROUP -> new Event(messageId, source, type, anonymousId, userId, null, null, null,
          groupTraits(call), timestamp, context(context, null, envelope));
      case ALIAS -> {
        String previousId = previousId(call);
        yield new Event(messageId, source, type, anonymousId, aliasUserId(userId), previousId, null, null,
            null, timestamp, context(context, null, envelope));
      }
      case INTERACTION, OUTCOME -> throw new IllegalStateException(type + " is not a Segment call");
    };
  }

  private static EventType type(CallFields call, EventType endpoint) {
    Object value = call.get("type");
    if (CallFields.isNull(value)) {
      if (endpoint == null) {
        throw ApiError.badField("type", "type is required");
      }
      return endpoint;
    }
    String text = textual(value);
    if (text == null) {
      throw ApiError.badField("type", "type must be a string");
    }
    EventType type = null;
    for (EventType t : EventType.segmentCalls()) {
      if (t.id().equalsIgnoreCase(text)) {
        type = t;
        break;
      }
    }
    if (type == null) {
      throw ApiError.badField("type", "type " + quote(text) + " is not one of " + TYPES);
    }
    if (endpoint != null && type != endpoint) {
      throw ApiError.badField("type",
          "type " + quote(text) + " does not match the " + endpoint.id() + " endpoint");
    }
    return type;
  }

  /** An id: Segment allows strings and numbers; numbers become their decimal text. Blank is absent. */
  private static String id(CallFields call, String field) {
    Object value = call.get(field);
    if (CallFields.isNull(value)) {
      return null;
    }
    if (value instanceof String text) {
      return text.isBlank() ? null : text;
    }
    if (!(value instanceof JsonNode node)) {
      throw ApiError.badField(field, field + " must be a string or a number");
    }
    if (node.isTextual()) {
      return node.asText().isBlank() ? null : node.asText();
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isNumber()) {
      if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()) && !node.isBigDecimal()) {
        throw ApiError.badField(field, field + " is a number too large to be an id; send it as a string");
      }
      try {
        return node.decimalValue().stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        throw ApiError.badField(field, field + " is a number too large to be an id; send it as a string");
      }
    }
    throw ApiError.badField(field, field + " must be a string or a number");
  }

  private static String previousId(CallFields call) {
    String previousId = id(call, "previousId");
    if (previousId == null) {
      throw ApiError.badField("previousId", "previousId is required for alias");
    }
    return previousId;
  }

  /** Alias links {@code previousId} to a {@code userId}; an anonymousId alone has nothing to link to. */
  private static String aliasUserId(String userId) {
    if (userId == null) {
      throw ApiError.badField("userId", "userId is required for alias");
    }
    return userId;
  }

  private Map<String, Object> groupTraits(CallFields call) {
    String groupId = id(call, "groupId");
    if (groupId == null) {
      throw ApiError.badField("groupId", "groupId is required for group");
    }
    Map<String, Object> traits = new LinkedHashMap<>(map(call, "traits"));
    traits.put("groupId", groupId);
    return Collections.unmodifiableMap(traits);
  }

  /**
   * Segment's clock-skew correction: with both the sender's {@code sentAt} and the call's
   * {@code originalTimestamp}, the call happened {@code sentAt - originalTimestamp} before it arrived.
   */
  private static Instant timestamp(CallFields call, Envelope envelope, Instant receivedAt) {
    Instant timestamp = instant(call, "timestamp");
    Instant originalTimestamp = instant(call, "originalTimestamp");
    Instant sentAt = instant(call, "sentAt");
    if (sentAt == null) {
      sentAt = envelope.sentAt();
    }
    if (sentAt != null && originalTimestamp != null) {
      try {
        return checkRange(receivedAt.minus(Duration.between(originalTimestamp, sentAt)), "originalTimestamp");
      } catch (ArithmeticException | java.time.DateTimeException e) {
        throw ApiError.badField("originalTimestamp",
            "originalTimestamp and sentAt are too far apart to correct the clock skew");
      }
    }
    return timestamp != null ? timestamp : receivedAt;
  }

  /** ISO-8601 with an offset or zone; without one, UTC. */
  private static Instant instant(CallFields call, String field) {
    Object value = call.get(field);
    if (CallFields.isNull(value)) {
      return null;
    }
    String text = textual(value);
    if (text != null) {
      try {
        return checkRange(Timestamps.parse(text), field);
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    throw ApiError.badField(field, field + " " + render(value) + " is not an ISO-8601 date-time");
  }

  /** Times outside years 1 to 9999 are mistakes, and do not fit the stores' epoch milliseconds. */
  private static Instant checkRange(Instant t, String field) {
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw ApiError.badField(field, field + " " + t + " is out of range: years 1 to 9999");
    }
    return t;
  }

  private Event.EventContext context(Map<String, Object> context, Map<String, Object> pageProperties,
      Envelope envelope) {
    Map<String, Object> ctx = context == null ? Map.of() : context;
    boolean signal = honourSignals && (envelope.privacySignal() || gpc(ctx));
    if (context == null && pageProperties == null && !signal) {
      return Event.EventContext.EMPTY;
    }
    return new Event.EventContext(
        page(object(ctx.get("page"), "context.page"), pageProperties),
        text(ctx.get("userAgent"), "context.userAgent"),
        text(ctx.get("locale"), "context.locale"),
        text(ctx.get("timezone"), "context.timezone"),
        campaign(object(ctx.get("campaign"), "context.campaign")),
        consent(object(ctx.get("consent"), "context.consent")),
        signal ? SIGNALLED : Map.of());
  }

  /** Global Privacy Control as an SDK reports it: {@code context.gpc} or {@code context.privacy.gpc}. */
  private static boolean gpc(Map<String, Object> ctx) {
    return asBoolean(ctx.get("gpc")) || ctx.get("privacy") instanceof Map<?, ?> privacy && asBoolean(privacy.get("gpc"));
  }

  /** As Jackson's {@code asBoolean(false)} of the value: true, a non-zero whole number or the text "true". */
  private static boolean asBoolean(Object value) {
    if (value instanceof String text) {
      return TextNode.valueOf(text).asBoolean(false);
    }
    return value instanceof JsonNode node && node.asBoolean(false);
  }

  /** {@code context.page}, with a page call's own properties taking precedence. */
  private static Event.Page page(Map<String, Object> page, Map<String, Object> properties) {
    String[] fields = {"path", "url", "title", "referrer", "search"};
    String[] values = new String[fields.length];
    boolean any = false;
    for (int i = 0; i < fields.length; i++) {
      Object own = properties == null ? null : properties.get(fields[i]);
      values[i] = own instanceof String text ? text
          : page == null ? null : text(page.get(fields[i]), "context.page." + fields[i]);
      any |= values[i] != null;
    }
    return any ? new Event.Page(values[0], values[1], values[2], values[3], values[4]) : null;
  }

  private static Event.Campaign campaign(Map<String, Object> campaign) {
    if (campaign == null) {
      return null;
    }
    Event.Campaign c = new Event.Campaign(
        text(campaign.get("source"), "context.campaign.source"),
        text(campaign.get("medium"), "context.campaign.medium"),
        text(campaign.get("name"), "context.campaign.name"),
        text(campaign.get("term"), "context.campaign.term"),
        text(campaign.get("content"), "context.campaign.content"));
    boolean any = c.source() != null || c.medium() != null || c.name() != null || c.term() != null
        || c.content() != null;
    return any ? c : null;
  }

  private Map<Purpose, Boolean> consent(Map<String, Object> consent) {
    Map<String, Object> preferences = consent == null ? null
        : object(consent.get("categoryPreferences"), "context.consent.categoryPreferences");
    if (preferences == null) {
      return Map.of();
    }
    Map<String, Boolean> granted = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : preferences.entrySet()) {
      if (categories.purposesOf(e.getKey()).isEmpty()) {
        continue;
      }
      if (!(e.getValue() instanceof JsonNode node && node.isBoolean())) {
        throw ApiError.badField("context.consent.categoryPreferences." + e.getKey(),
            "context.consent.categoryPreferences." + e.getKey() + " must be true or false");
      }
      granted.put(e.getKey(), node.booleanValue());
    }
    return categories.choicesOf(granted);
  }

  /** {@code properties} or {@code traits}: already the plain map the event carries. */
  private Map<String, Object> map(CallFields call, String field) {
    Map<String, Object> object = object(call.get(field), field);
    if (object == null) {
      return Map.of();
    }
    if (object.size() > limits.maxProperties()) {
      throw ApiError.badField(field, field + " has " + object.size() + " keys, over the "
          + limits.maxProperties() + "-key limit (" + IngestLimits.MAX_PROPERTIES + ")");
    }
    return object;
  }

  /** The value as an object, or null when absent or JSON null. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String path) {
    if (CallFields.isNull(value)) {
      return null;
    }
    if (!(value instanceof Map)) {
      throw ApiError.badField(path, path + " must be an object");
    }
    return (Map<String, Object>) value;
  }

  private static String requiredText(CallFields call, String field, String missing) {
    String value = text(call.get(field), field);
    if (value == null || value.isBlank()) {
      throw ApiError.badField(field, missing);
    }
    return value;
  }

  /** A text field; numbers and booleans are taken as their text, null is absent. */
  private static String text(Object value, String path) {
    if (CallFields.isNull(value)) {
      return null;
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof JsonNode node && (node.isTextual() || node.isNumber() || node.isBoolean())) {
      return node.asText();
    }
    throw ApiError.badField(path, path + " must be a string");
  }

  /** The text of a JSON string, or null when the value is not one. */
  private static String textual(Object value) {
    if (value instanceof String text) {
      return text;
    }
    return value instanceof JsonNode node && node.isTextual() ? node.textValue() : null;
  }

  /** {@code base} with {@code over} laid on top, objects merged key by key; neither is changed. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    if (base == null) {
      return over;
    }
    if (over == null) {
      return base;
    }
    Map<String, Object> merged = new LinkedHashMap<>(base);
    for (Map.Entry<String, Object> e : over.entrySet()) {
      Object under = merged.get(e.getKey());
      if (under instanceof Map && e.getValue() instanceof Map) {
        merged.put(e.getKey(), merge((Map<String, Object>) under, (Map<String, Object>) e.getValue()));
      } else {
        merged.put(e.getKey(), e.getValue());
      }
    }
    return merged;
  }

  /** A value for a message: JSON text, strings quoted, cut short when long. */
  private static String render(Object value) {
    String text = textual(value);
    return text != null ? quote(text) : shorten(value.toString());
  }

  static String quote(String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"");
    return "\"" + shorten(escaped) + "\"";
  }

  private static String shorten(String s) {
    return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "...";
  }

}
