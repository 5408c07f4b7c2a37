package io.nudge.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Validates one Segment call (a JSON object) and builds its {@link Event}. */
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
  record Envelope(Instant sentAt, ObjectNode context, boolean privacySignal) {}

  /** @param privacySignal the request came with {@code Sec-GPC: 1} or {@code DNT: 1} */
  Envelope envelope(ObjectNode root, boolean batch, boolean privacySignal) {
    if (!batch) {
      return new Envelope(null, null, privacySignal);
    }
    return new Envelope(instant(root, "sentAt"), object(root, "context"), privacySignal);
  }

  /**
   * @param endpoint the type the path gives, or null in a batch, where each item says its type
   */
  Event read(JsonNode item, EventType endpoint, Envelope envelope, Instant receivedAt, String source) {
    ObjectNode call = (ObjectNode) item;
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
    ObjectNode context = merge(envelope.context(), object(call, "context"));
    return switch (type) {
      case TRACK -> new Event(messageId, source, type, anonymousId, userId, null,
          requiredText(call, "event", "event is required for track"), map(call, "properties"), null,
          timestamp, context(context, null, envelope));
      case PAGE, SCREEN -> new Event(messageId, source, type, anonymousId, userId, null,
          text(call, "name", "name"), map(call, "properties"), null, timestamp,
          context(context, type == EventType.PAGE ? object(call, "properties") : null, envelope));
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

  private static EventType type(ObjectNode call, EventType endpoint) {
    JsonNode node = call.get("type");
    if (node == null || node.isNull()) {
      if (endpoint == null) {
        throw ApiError.badField("type", "type is required");
      }
      return endpoint;
    }
    if (!node.isTextual()) {
      throw ApiError.badField("type", "type must be a string");
    }
    EventType type = EventType.segmentCalls().stream()
        .filter(t -> t.id().equalsIgnoreCase(node.asText()))
        .findFirst()
        .orElseThrow(() -> ApiError.badField("type",
            "type " + quote(node.asText()) + " is not one of " + TYPES));
    if (endpoint != null && type != endpoint) {
      throw ApiError.badField("type",
          "type " + quote(node.asText()) + " does not match the " + endpoint.id() + " endpoint");
    }
    return type;
  }

  /** An id: Segment allows strings and numbers; numbers become their decimal text. Blank is absent. */
  private static String id(ObjectNode call, String field) {
    JsonNode node = call.get(field);
    if (node == null || node.isNull()) {
      return null;
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

  private static String previousId(ObjectNode call) {
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

  private Map<String, Object> groupTraits(ObjectNode call) {
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
  private static Instant timestamp(ObjectNode call, Envelope envelope, Instant receivedAt) {
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
  private static Instant instant(ObjectNode call, String field) {
    JsonNode node = call.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      try {
        return checkRange(Timestamps.parse(node.asText()), field);
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    throw ApiError.badField(field, field + " " + render(node) + " is not an ISO-8601 date-time");
  }

  /** Times outside years 1 to 9999 are mistakes, and do not fit the stores' epoch milliseconds. */
  private static Instant checkRange(Instant t, String field) {
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw ApiError.badField(field, field + " " + t + " is out of range: years 1 to 9999");
    }
    return t;
  }

  private Event.EventContext context(ObjectNode context, ObjectNode pageProperties, Envelope envelope) {
    ObjectNode ctx = context == null ? JsonNodeFactory.instance.objectNode() : context;
    boolean signal = honourSignals && (envelope.privacySignal() || gpc(ctx));
    if (context == null && pageProperties == null && !signal) {
      return Event.EventContext.EMPTY;
    }
    return new Event.EventContext(
        page(object(ctx, "page", "context.page"), pageProperties),
        text(ctx, "userAgent", "context.userAgent"),
        text(ctx, "locale", "context.locale"),
        text(ctx, "timezone", "context.timezone"),
        campaign(object(ctx, "campaign", "context.campaign")),
        consent(object(ctx, "consent", "context.consent")),
        signal ? SIGNALLED : Map.of());
  }

  /** Global Privacy Control as an SDK reports it: {@code context.gpc} or {@code context.privacy.gpc}. */
  private static boolean gpc(ObjectNode ctx) {
    JsonNode privacy = ctx.get("privacy");
    return ctx.path("gpc").asBoolean(false) || privacy != null && privacy.path("gpc").asBoolean(false);
  }

  /** {@code context.page}, with a page call's own properties taking precedence. */
  private static Event.Page page(ObjectNode page, ObjectNode properties) {
    String[] fields = {"path", "url", "title", "referrer", "search"};
    String[] values = new String[fields.length];
    boolean any = false;
    for (int i = 0; i < fields.length; i++) {
      JsonNode own = properties == null ? null : properties.get(fields[i]);
      values[i] = own != null && own.isTextual() ? own.asText()
          : page == null ? null : text(page, fields[i], "context.page." + fields[i]);
      any |= values[i] != null;
    }
    return any ? new Event.Page(values[0], values[1], values[2], values[3], values[4]) : null;
  }

  private static Event.Campaign campaign(ObjectNode campaign) {
    if (campaign == null) {
      return null;
    }
    Event.Campaign c = new Event.Campaign(
        text(campaign, "source", "context.campaign.source"),
        text(campaign, "medium", "context.campaign.medium"),
        text(campaign, "name", "context.campaign.name"),
        text(campaign, "term", "context.campaign.term"),
        text(campaign, "content", "context.campaign.content"));
    boolean any = c.source() != null || c.medium() != null || c.name() != null || c.term() != null
        || c.content() != null;
    return any ? c : null;
  }

  private Map<Purpose, Boolean> consent(ObjectNode consent) {
    ObjectNode preferences = consent == null ? null
        : object(consent, "categoryPreferences", "context.consent.categoryPreferences");
    if (preferences == null) {
      return Map.of();
    }
    Map<String, Boolean> granted = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : preferences.properties()) {
      if (categories.purposesOf(e.getKey()).isEmpty()) {
        continue;
      }
      if (!e.getValue().isBoolean()) {
        throw ApiError.badField("context.consent.categoryPreferences." + e.getKey(),
            "context.consent.categoryPreferences." + e.getKey() + " must be true or false");
      }
      granted.put(e.getKey(), e.getValue().booleanValue());
    }
    return categories.choicesOf(granted);
  }

  private Map<String, Object> map(ObjectNode call, String field) {
    ObjectNode object = object(call, field);
    if (object == null) {
      return Map.of();
    }
    if (object.size() > limits.maxProperties()) {
      throw ApiError.badField(field, field + " has " + object.size() + " keys, over the "
          + limits.maxProperties() + "-key limit (" + IngestLimits.MAX_PROPERTIES + ")");
    }
    return PlainJson.map(object);
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    return object(parent, field, field);
  }

  /** The named object, or null when absent or JSON null. */
  private static ObjectNode object(ObjectNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw ApiError.badField(path, path + " must be an object");
    }
    return (ObjectNode) node;
  }

  private static String requiredText(ObjectNode call, String field, String missing) {
    String value = text(call, field, field);
    if (value == null || value.isBlank()) {
      throw ApiError.badField(field, missing);
    }
    return value;
  }

  /** A text field; numbers and booleans are taken as their text, null is absent. */
  private static String text(ObjectNode parent, String field, String path) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual() || node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    throw ApiError.badField(path, path + " must be a string");
  }

  /** {@code base} with {@code over} laid on top, objects merged key by key. */
  private static ObjectNode merge(ObjectNode base, ObjectNode over) {
    if (base == null) {
      return over;
    }
    if (over == null) {
      return base;
    }
    ObjectNode merged = base.deepCopy();
    for (Map.Entry<String, JsonNode> e : over.properties()) {
      JsonNode under = merged.get(e.getKey());
      if (under != null && under.isObject() && e.getValue().isObject()) {
        merged.set(e.getKey(), merge((ObjectNode) under, (ObjectNode) e.getValue()));
      } else {
        merged.set(e.getKey(), e.getValue());
      }
    }
    return merged;
  }

  /** A value for a message: JSON text, strings quoted, cut short when long. */
  private static String render(JsonNode node) {
    return node.isTextual() ? quote(node.asText()) : shorten(node.toString());
  }

  static String quote(String value) {
    String escaped = value.replace("\\", "\\\\").replace("\"", "\\\"");
    return "\"" + shorten(escaped) + "\"";
  }

  private static String shorten(String s) {
    return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "...";
  }

}
