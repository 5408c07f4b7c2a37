package io.nudge.server.fuzz;

import io.nudge.engine.Event.EventType;
import io.nudge.server.fuzz.Json.Obj;
import io.nudge.server.fuzz.Json.Raw;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Valid Segment calls, the way the SDKs send them, plus the values fuzzing swaps into them. Every call
 * made here is one the server must accept with a 200; the strategies in {@link FuzzCases} break them.
 */
final class SegmentPayloads {
  /** Ids a site may really send: any Unicode, control characters and JSON escapes included. */
  static final List<String> ID_STEMS = List.of(
      "visitor", "ünïcødé", "用户", "🙂🙃", "مرحبا", "שלום", "a\u0301e\u0301", "zero\u200bwidth",
      "tab\tand\nnewline", "quote\"back\\slash", "slash/and/more", "per%2Fcent", "nul\u0000byte",
      "space in id", "\u00a0nbsp", "plus+and&amp", "?query#hash", "..", "%", "\uffff\ufffe",
      "\ud83d\ude00surrogates", "Ωmega", "ẞ", "İstanbul", "x".repeat(300));

  static final List<String> EVENT_NAMES = List.of(
      "Product Added", "Products Searched", "Order Completed", "Checkout Started", "Checkout Step Viewed",
      "Form Error", "Product Removed", "Cart Viewed", "Ünïcode Event 🙂", "event with \"quotes\"");

  static final List<String> STRINGS = List.of(
      "", " ", "plain", "ünïcødé", "🙂", "\u0000", "\u001f", "\\", "\"", "</script>", "${jndi:ldap://x}",
      "' OR 1=1 --", "%s%n", "\r\n", "null", "true", "1e999", "NaN", "-0", "\u202etxt.exe", "a".repeat(2000));

  /** JSON tokens that trip parsers and converters; each a complete value. */
  static final List<String> TOKENS = List.of(
      "null", "true", "false", "0", "-0", "1", "-1", "0.5", "-0.0", "1e999", "-1e999", "1e-999", "1E+2",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809",
      "123456789012345678901234567890123456789", "1.7976931348623157e308", "4.9e-324", "\"\"", "\" \"",
      "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\uFFFF\"", "\"💥\"", "\"null\"", "\"0\"", "\"1e999\"",
      "[]", "{}", "[null]", "{\"\":\"\"}", "[[[]]]", "{\"a\":{\"b\":{}}}", "[1,\"a\",null,{},[]]",
      "\"2026-11-23T10:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"",
      "\"+292278994-08-17T07:12:55.807Z\"", "\"+292278994-08-17T07:12:55.808Z\"", "\"0000-01-01T00:00:00Z\"",
      "\"+200000000-01-01T00:00:00Z\"", "\"-200000000-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999999999Z\"",
      "\"-0001-01-01T00:00:00Z\"", "\"2026-02-30T00:00:00Z\"", "\"2026-11-23T10:00:00[Europe/Paris]\"", "\"2026-11-23\"", "\"now\"",
      "1700000000000");

  /** Dates the server must accept as dates. Extremes of the ISO range are in {@link #TOKENS}. */
  static final List<String> GOOD_DATES = List.of(
      "2026-11-23T10:00:00Z", "2026-11-23T09:59:30.123Z", "2026-11-23T11:00:00+01:00",
      "2026-11-23T10:00:00.123456789-05:30", "2026-11-23T10:00:00", "2025-01-01T00:00:00Z",
      "2026-11-23T10:00:00+01:00[Europe/Paris]");

  private final Random random;
  private final String writeKey;

  SegmentPayloads(Random random, String writeKey) {
    this.random = random;
    this.writeKey = writeKey;
  }

  static String shortPath(EventType type) {
    return "/v1/" + type.id().charAt(0);
  }

  EventType anyType() {
    return EventType.segmentCalls().get(random.nextInt(EventType.segmentCalls().size()));
  }

  String path(EventType typeOrNullForBatch) {
    if (typeOrNullForBatch == null) {
      return random.nextBoolean() ? "/v1/batch" : "/v1/b";
    }
    return random.nextBoolean() ? "/v1/" + typeOrNullForBatch.id() : shortPath(typeOrNullForBatch);
  }

  /** A batch body of 1 to 4 calls, sometimes with a batch-level context and sentAt. */
  Obj batch(String caseTag, boolean writeKeyInBody) {
    List<Object> items = new ArrayList<>();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      items.add(call(anyType(), true, caseTag + "-" + i));
    }
    Obj root = Obj.of("batch", items);
    if (random.nextInt(4) == 0) {
      root.put("context", Obj.of("library", Obj.of("name", "analytics-node", "version", "6.2.0")));
    }
    if (random.nextInt(4) == 0) {
      root.put("sentAt", pick(GOOD_DATES));
    }
    if (writeKeyInBody) {
      root.put("writeKey", writeKey);
    }
    return root;
  }

  /** One call; in a batch it names its type, on its own endpoint it may. */
  Obj call(EventType type, boolean inBatch, String idTag) {
    Obj call = new Obj();
    if (inBatch || random.nextInt(3) == 0) {
      call.put("type", random.nextInt(5) == 0 ? type.id().toUpperCase(java.util.Locale.ROOT) : type.id());
    }
    boolean anonymous = type != EventType.ALIAS && random.nextInt(4) != 0;
    if (anonymous) {
      call.put("anonymousId", id(idTag));
    }
    if (!anonymous || type == EventType.ALIAS || random.nextInt(3) == 0) {
      call.put("userId", random.nextInt(6) == 0 ? (Object) (100_000L + random.nextInt(1_000_000)) : id("u" + idTag));
    }
    if (random.nextBoolean()) {
      call.put("messageId", "m-" + idTag + "-" + random.nextInt(1_000_000));
    }
    if (random.nextInt(3) == 0) {
      call.put("timestamp", pick(GOOD_DATES));
    }
    if (random.nextInt(4) == 0) {
      // what analytics.js sends: the server corrects the clock skew between them
      call.put("originalTimestamp", pick(GOOD_DATES));
      call.put("sentAt", pick(GOOD_DATES));
    }
    switch (type) {
      case TRACK -> {
        call.put("event", pick(EVENT_NAMES));
        call.put("properties", trackProperties());
      }
      case PAGE, SCREEN -> {
        if (random.nextBoolean()) {
          call.put("name", pick(STRINGS));
        }
        call.put("properties", Obj.of("path", "/" + pick(List.of("cart", "checkout", "account", "ü/ñ", "")),
            "title", pick(STRINGS), "url", "https://shop.example/x?y=1"));
      }
      case IDENTIFY -> call.put("traits", Obj.of("email", "a@example.com", "plan", pick(STRINGS)));
      case GROUP -> {
        call.put("groupId", random.nextBoolean() ? (Object) "g-" + idTag : (Object) 42L);
        call.put("traits", Obj.of("name", pick(STRINGS)));
      }
      case ALIAS -> call.put("previousId", id("p" + idTag));
    }
    if (random.nextBoolean()) {
      call.put("context", context());
    }
    if (random.nextInt(4) == 0) {
      call.put("integrations", Obj.of("All", true));
    }
    return call;
  }

  String id(String tag) {
    String stem = pick(ID_STEMS);
    return stem + "-" + tag;
  }

  private Obj trackProperties() {
    Obj p = Obj.of("product_id", "p-" + random.nextInt(100), "price",
        random.nextBoolean() ? (Object) (random.nextInt(10_000) / 100.0) : (Object) String.valueOf(random.nextInt(99)),
        "quantity", (long) random.nextInt(5), "currency", pick(List.of("EUR", "USD", "", "€")),
        "query", pick(STRINGS));
    if (random.nextBoolean()) {
      p.put("products", List.of(Obj.of("product_id", "a", "price", 1.5), Obj.of("sku", 7L)));
    }
    if (random.nextBoolean()) {
      p.put("nested", nested(1 + random.nextInt(4)));
    }
    return p;
  }

  /** Small nested objects and arrays, {@code depth} levels of them. */
  Object nested(int depth) {
    if (depth == 0) {
      return new Raw(pick(TOKENS));
    }
    return random.nextBoolean() ? List.of(nested(depth - 1), pick(STRINGS)) : Obj.of("k", nested(depth - 1));
  }

  private Obj context() {
    Obj c = new Obj();
    if (random.nextBoolean()) {
      c.put("page", Obj.of("path", "/ctx", "referrer", "https://search.example/?q=ü"));
    }
    if (random.nextBoolean()) {
      c.put("userAgent", pick(List.of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
          "Mozilla/5.0 (Linux; Android 14; SM-X710) Tablet", "curl/8.0", "")));
    }
    if (random.nextBoolean()) {
      c.put("locale", pick(List.of("de-DE", "ar", "zh-Hans-CN", "")));
      c.put("timezone", "Europe/Berlin");
    }
    if (random.nextInt(3) == 0) {
      c.put("campaign", Obj.of("source", "news", "medium", "email", "name", pick(STRINGS)));
    }
    if (random.nextBoolean()) {
      c.put("consent", Obj.of("categoryPreferences", Obj.of(
          "proactive_chat", random.nextBoolean(), "CALLBACK", random.nextBoolean(),
          "Chat", random.nextBoolean(), "UnknownCategory", pick(STRINGS))));
    }
    return c;
  }

  <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
