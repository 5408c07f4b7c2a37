package io.nudge.server.contactcentre;

import com.fasterxml.jackson.databind.JsonNode;
import io.nudge.engine.Event;
import io.nudge.engine.identity.ContactPoints;
import io.nudge.server.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Checks one interaction object and builds its {@link Event} of type {@code INTERACTION}, with the
 * properties {@code JourneyRecorder.interaction} reads. Pure; every failure is a 400 naming the field.
 */
final class InteractionReader {
  /** The events' source: their ids never clash with those of a write key's. */
  static final String SOURCE = "interactions";
  static final int MAX_TEXT_CHARS = 256;
  static final int MAX_NOTES_CHARS = 2000;
  static final Duration MAX_AHEAD = Duration.ofMinutes(5);
  static final List<String> CHANNELS = List.of("call", "chat", "email", "social", "store");
  static final List<String> DIRECTIONS = List.of("inbound", "outbound");
  private static final List<String> TEXTS = List.of("queue", "agentId", "caseId", "reason");
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private InteractionReader() {}

  /** @param now the engine clock's time, which {@code startedAt} may pass by at most {@link #MAX_AHEAD} */
  static Event read(JsonNode item, Instant now) {
    String messageId = text(item, "id", "id", MAX_TEXT_CHARS);
    JsonNode customer = customer(item);
    String userId = text(customer, "userId", "customer.userId", MAX_TEXT_CHARS);
    String anonymousId = text(customer, "anonymousId", "customer.anonymousId", MAX_TEXT_CHARS);
    Map<String, Object> contact = contactPoints(customer);
    if (userId == null && anonymousId == null && contact.isEmpty()) {
      throw ApiError.badField("customer", "customer.userId, customer.anonymousId, customer.email or "
          + "customer.phone is required");
    }
    Map<String, Object> p = new LinkedHashMap<>();
    String channel = oneOf(item, "channel", CHANNELS, null);
    p.put("channel", channel);
    p.put("direction", oneOf(item, "direction", DIRECTIONS, "inbound"));
    Instant startedAt = time(item, "startedAt", now);
    if (startedAt == null) {
      throw ApiError.badField("startedAt", "startedAt is required");
    }
    p.put("startedAt", startedAt.toEpochMilli());
    Instant endedAt = time(item, "endedAt", now);
    if (endedAt != null && endedAt.isBefore(startedAt)) {
      throw ApiError.badField("endedAt", "endedAt " + endedAt + " is before startedAt " + startedAt);
    }
    if (endedAt != null) {
      p.put("endedAt", endedAt.toEpochMilli());
    }
    for (String field : TEXTS) {
      putIfPresent(p, field, text(item, field, field, MAX_TEXT_CHARS));
    }
    p.put("resolved", resolved(item));
    putIfPresent(p, "csat", score(item, "csat", 1, 5));
    putIfPresent(p, "nps", score(item, "nps", 0, 10));
    putIfPresent(p, "notes", text(item, "notes", "notes", MAX_NOTES_CHARS));
    return new Event(messageId != null ? messageId : "nudge-" + UUID.randomUUID(), SOURCE,
        Event.EventType.INTERACTION, anonymousId, userId, null, channel, Collections.unmodifiableMap(p), contact,
        startedAt, Event.EventContext.EMPTY);
  }

  /** {@code customer.email} and {@code customer.phone}, checked; the engine keeps only salted hashes. */
  private static Map<String, Object> contactPoints(JsonNode customer) {
    Map<String, Object> contact = new LinkedHashMap<>();
    String email = text(customer, "email", "customer.email", MAX_TEXT_CHARS);
    if (email != null) {
      if (ContactPoints.normalEmail(email).isEmpty()) {
        throw ApiError.badField("customer.email", "customer.email is not an email address");
      }
      contact.put("email", email);
    }
    String phone = text(customer, "phone", "customer.phone", MAX_TEXT_CHARS);
    if (phone != null) {
      if (ContactPoints.normalPhone(phone).isEmpty()) {
        throw ApiError.badField("customer.phone",
            "customer.phone is not a phone number with its country code, such as +44 20 7946 0958");
      }
      contact.put("phone", phone);
    }
    return contact;
  }

  private static JsonNode customer(JsonNode item) {
    JsonNode customer = item.get("customer");
    if (customer == null || customer.isNull()) {
      throw ApiError.badField("customer", "customer is required");
    }
    if (!customer.isObject()) {
      throw ApiError.badField("customer", "customer must be an object");
    }
    return customer;
  }

  /** A string of at most {@code max} characters; absent, null and blank are all absent. */
  private static String text(JsonNode parent, String name, String field, int max) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiError.badField(field, field + " must be a string");
    }
    String value = node.textValue();
    if (value.length() > max) {
      throw ApiError.badField(field, field + " is " + value.length() + " characters, over the " + max
          + "-character limit");
    }
    return value.isBlank() ? null : value;
  }

  /** One of {@code allowed}, in any case; {@code fallback} when absent, or required when that is null. */
  private static String oneOf(JsonNode item, String field, List<String> allowed, String fallback) {
    JsonNode node = item.get(field);
    if (node == null || node.isNull()) {
      if (fallback == null) {
        throw ApiError.badField(field, field + " is required");
      }
      return fallback;
    }
    String value = node.isTextual() ? node.textValue().toLowerCase(Locale.ROOT) : null;
    if (value == null || !allowed.contains(value)) {
      throw ApiError.badField(field, field + " " + render(node) + " is not one of " + String.join(", ", allowed));
    }
    return value;
  }

  /** ISO-8601 with an offset or Z, in the years 1 to 9999, at most {@link #MAX_AHEAD} after {@code now}. */
  private static Instant time(JsonNode item, String field, Instant now) {
    JsonNode node = item.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    Instant t;
    try {
      t = node.isTextual()
          ? DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(node.textValue().trim(), OffsetDateTime::from).toInstant()
          : null;
    } catch (DateTimeParseException e) {
      t = null;
    }
    if (t == null) {
      throw ApiError.badField(field, field + " " + render(node) + " is not an ISO-8601 date-time with an offset"
          + " or Z, such as 2026-11-23T10:00:00Z");
    }
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw ApiError.badField(field, field + " " + t + " is out of range: years 1 to 9999");
    }
    if (t.isAfter(now.plus(MAX_AHEAD))) {
      throw ApiError.badField(field, field + " " + t + " is more than 5 minutes ahead of Nudge's clock ("
          + now + ")");
    }
    return t;
  }

  private static boolean resolved(JsonNode item) {
    JsonNode node = item.get("resolved");
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw ApiError.badField("resolved", "resolved must be true or false");
    }
    return node.booleanValue();
  }

  /** A whole number from {@code min} to {@code max}, or null when absent. */
  private static Integer score(JsonNode item, String field, int min, int max) {
    JsonNode node = item.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
      throw ApiError.badField(field, field + " " + render(node) + " is not an integer from " + min + " to " + max);
    }
    return node.intValue();
  }

  private static void putIfPresent(Map<String, Object> properties, String key, Object value) {
    if (value != null) {
      properties.put(key, value);
    }
  }

  /** A value for a message: JSON text, strings quoted, cut short when long. */
  private static String render(JsonNode node) {
    if (node.isTextual()) {
      return InteractionBody.quote(node.textValue());
    }
    String json = node.toString();
    return json.length() <= 64 ? json : json.substring(0, 64) + "...";
  }
}
