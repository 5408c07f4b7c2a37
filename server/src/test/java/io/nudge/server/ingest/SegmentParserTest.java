package io.nudge.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.Event;
import io.nudge.engine.Event.EventType;
import io.nudge.engine.Purpose;
import io.nudge.server.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

final class SegmentParserTest {
  private static final Instant RECEIVED = Instant.parse("2025-03-01T12:00:00Z");
  private static final String SOURCE = "src123";

  private final SegmentParser parser = new SegmentParser(IngestLimits.defaults(), ConsentCategories.defaults());

  @Test
  void parse_trackCall_mapsEveryField() {
    Event e = single(EventType.TRACK, """
        {"type":"track","anonymousId":"anon-1","userId":"user-1","messageId":"m-1",
         "event":"Product Added","properties":{"sku":"A1","price":9.99,"quantity":2,"gift":false,
           "tags":["x",3],"extra":{"k":null}},
         "timestamp":"2025-03-01T11:00:00Z","integrations":{"All":true},"unknownField":1,
         "context":{"ip":"203.0.113.9","userAgent":"Mozilla/5.0","locale":"en-GB","timezone":"Europe/London",
           "page":{"path":"/cart","url":"https://shop.example/cart","title":"Cart","referrer":"https://r.example/",
             "search":"?q=1"},
           "campaign":{"source":"news","medium":"email","name":"spring","term":"shoes","content":"top"}}}
        """);

    assertThat(e.messageId()).isEqualTo("m-1");
    assertThat(e.source()).isEqualTo(SOURCE);
    assertThat(e.type()).isEqualTo(EventType.TRACK);
    assertThat(e.anonymousId()).isEqualTo("anon-1");
    assertThat(e.userId()).isEqualTo("user-1");
    assertThat(e.previousId()).isNull();
    assertThat(e.name()).isEqualTo("Product Added");
    assertThat(e.properties()).containsExactly(
        Map.entry("sku", "A1"), Map.entry("price", 9.99), Map.entry("quantity", 2L), Map.entry("gift", false),
        Map.entry("tags", List.of("x", 3L)), Map.entry("extra", java.util.Collections.singletonMap("k", null)));
    assertThat(e.traits()).isEmpty();
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-03-01T11:00:00Z"));
    assertThat(e.context()).isEqualTo(new Event.EventContext(
        new Event.Page("/cart", "https://shop.example/cart", "Cart", "https://r.example/", "?q=1"),
        "Mozilla/5.0", "en-GB", "Europe/London",
        new Event.Campaign("news", "email", "spring", "shoes", "top"),
        Map.of()));
  }

  @Test
  void parse_numbersInProperties_becomeLongOrDouble() {
    Event e = single(EventType.TRACK, """
        {"anonymousId":"a","event":"e","properties":{"small":1,"big":123456789012345678901234,
         "decimal":0.1,"exp":1e3,"negative":-7}}
        """);

    assertThat(e.properties()).containsExactly(
        Map.entry("small", 1L), Map.entry("big", 1.2345678901234568E23), Map.entry("decimal", 0.1),
        Map.entry("exp", 1000.0), Map.entry("negative", -7L));
  }

  @Test
  void parse_numericIds_becomeText() {
    Event e = single(EventType.IDENTIFY, """
        {"anonymousId":42,"userId":12345678901234567890,"messageId":7.50,"traits":{"plan":"pro"}}
        """);

    assertThat(e.anonymousId()).isEqualTo("42");
    assertThat(e.userId()).isEqualTo("12345678901234567890");
    assertThat(e.messageId()).isEqualTo("7.5");
    assertThat(e.traits()).containsExactly(Map.entry("plan", "pro"));
  }

  @Test
  void parse_withoutMessageId_generatesADifferentOneEachTime() {
    String body = "{\"anonymousId\":\"a\",\"event\":\"e\"}";

    String first = single(EventType.TRACK, body).messageId();
    String second = single(EventType.TRACK, body).messageId();

    assertThat(first).startsWith("nudge-").hasSize(42);
    assertThat(second).startsWith("nudge-").isNotEqualTo(first);
  }

  @Test
  void parse_sentAtAndOriginalTimestamp_correctsClockSkew() {
    // the sender's clock is two hours behind: it sent 5 s after the event, by its own clock
    Event e = single(EventType.TRACK, """
        {"anonymousId":"a","event":"e","originalTimestamp":"2025-03-01T10:00:00Z",
         "sentAt":"2025-03-01T10:00:05Z","timestamp":"2025-03-01T10:00:00Z"}
        """);

    assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-03-01T11:59:55Z"));
  }

  @Test
  void parseBatch_batchSentAt_correctsEachItemsClockSkew() {
    List<Event> events = batch("""
        {"sentAt":"2025-03-01T09:00:10.000+01:00","batch":[
          {"type":"track","anonymousId":"a","event":"e","originalTimestamp":"2025-03-01T08:00:00Z"},
          {"type":"track","anonymousId":"a","event":"e","originalTimestamp":"2025-03-01T08:00:09.5Z"},
          {"type":"track","anonymousId":"a","event":"e","originalTimestamp":"2025-03-01T08:00:00Z",
           "sentAt":"2025-03-01T08:00:01Z"}]}
        """);

    assertThat(events).extracting(Event::timestamp).containsExactly(
        Instant.parse("2025-03-01T11:59:50Z"), Instant.parse("2025-03-01T11:59:59.500Z"),
        Instant.parse("2025-03-01T11:59:59Z"));
  }

  @Test
  void parse_timestampWithoutSkewFields_isKeptAsSent() {
    Event withOffset = single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"2025-03-01T13:30:00+02:00\",\"sentAt\":\"2025-03-01T13:31:00+02:00\"}");
    Event withoutOffset = single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"2025-03-01T11:30:00.250\"}");

    assertThat(withOffset.timestamp()).isEqualTo(Instant.parse("2025-03-01T11:30:00Z"));
    assertThat(withoutOffset.timestamp()).isEqualTo(Instant.parse("2025-03-01T11:30:00.250Z"));
  }

  @Test
  void parse_noTimestamp_usesReceivedAt() {
    Event e = single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"originalTimestamp\":\"2025-03-01T10:00:00Z\"}");

    assertThat(e.timestamp()).isEqualTo(RECEIVED);
  }

  @Test
  void parse_consentCategories_mapToPurposes() {
    Event e = single(EventType.TRACK, """
        {"anonymousId":"a","event":"e","context":{"consent":{"categoryPreferences":
          {"functional":true,"Analytics":false,"Chat":true,"Marketing":"yes","Advertising":false}}}}
        """);

    assertThat(e.context().consent()).isEqualTo(Map.of(
        Purpose.PERSONALIZATION, true, Purpose.ANALYTICS, false, Purpose.PROACTIVE_CHAT, true,
        Purpose.CALLBACK, true));
  }

  @Test
  void parse_consentCategoriesDisagreeingOnAPurpose_denialWins() {
    Event e = single(EventType.TRACK, """
        {"anonymousId":"a","event":"e","context":{"consent":{"categoryPreferences":
          {"Chat":true,"callback":false,"Performance":true}}}}
        """);

    assertThat(e.context().consent()).isEqualTo(Map.of(
        Purpose.PROACTIVE_CHAT, true, Purpose.CALLBACK, false, Purpose.ANALYTICS, true));
  }

  @Test
  void parse_consentWithSiteCategories_usesTheSitesMapping() {
    SegmentParser custom = new SegmentParser(IngestLimits.defaults(),
        ConsentCategories.parse("C0003:personalization,C0004:proactive_chat+callback"));

    Event e = custom.parse(EventType.TRACK, bytes("""
        {"anonymousId":"a","event":"e","context":{"consent":{"categoryPreferences":
          {"C0003":true,"c0004":false,"Functional":true}}}}
        """), RECEIVED, SOURCE).get(0);

    assertThat(e.context().consent()).isEqualTo(Map.of(
        Purpose.PERSONALIZATION, true, Purpose.PROACTIVE_CHAT, false, Purpose.CALLBACK, false));
  }

  @Test
  void parse_consentValueNotBoolean_returns400() {
    assertError(() -> single(EventType.TRACK, """
        {"anonymousId":"a","event":"e","context":{"consent":{"categoryPreferences":{"Functional":"true"}}}}
        """), 400, "context.consent.categoryPreferences.Functional must be true or false",
        "context.consent.categoryPreferences.Functional", null);
  }

  @Test
  void parseBatch_batchContext_isMergedUnderEachItemsContext() {
    List<Event> events = batch("""
        {"context":{"locale":"en-GB","page":{"url":"https://shop.example/a","path":"/a"}},"batch":[
          {"type":"page","anonymousId":"a","context":{"page":{"path":"/b"},"timezone":"UTC"}},
          {"type":"track","anonymousId":"a","event":"e"}]}
        """);

    assertThat(events.get(0).context().page()).isEqualTo(new Event.Page("/b", "https://shop.example/a", null, null, null));
    assertThat(events.get(0).context().locale()).isEqualTo("en-GB");
    assertThat(events.get(0).context().timezone()).isEqualTo("UTC");
    assertThat(events.get(1).context().page()).isEqualTo(new Event.Page("/a", "https://shop.example/a", null, null, null));
  }

  @Test
  void parse_pageCallProperties_fillThePage() {
    Event e = single(EventType.PAGE, """
        {"anonymousId":"a","name":"Checkout","properties":{"path":"/checkout","title":"Pay"},
         "context":{"page":{"path":"/old","referrer":"https://r.example/"}}}
        """);

    assertThat(e.name()).isEqualTo("Checkout");
    assertThat(e.properties()).containsExactly(Map.entry("path", "/checkout"), Map.entry("title", "Pay"));
    assertThat(e.context().page()).isEqualTo(new Event.Page("/checkout", null, "Pay", "https://r.example/", null));
  }

  @Test
  void parse_screenCall_keepsNameAndProperties() {
    Event e = single(EventType.SCREEN, "{\"userId\":\"u\",\"name\":\"Home\",\"properties\":{\"tab\":1}}");

    assertThat(e.type()).isEqualTo(EventType.SCREEN);
    assertThat(e.name()).isEqualTo("Home");
    assertThat(e.properties()).containsExactly(Map.entry("tab", 1L));
    assertThat(e.context().page()).isNull();
  }

  @Test
  void parse_groupCall_keepsGroupIdInTraits() {
    Event e = single(EventType.GROUP, "{\"userId\":\"u\",\"groupId\":99,\"traits\":{\"name\":\"Acme\"}}");

    assertThat(e.traits()).containsExactly(Map.entry("name", "Acme"), Map.entry("groupId", "99"));
  }

  @Test
  void parse_aliasCall_keepsPreviousId() {
    Event e = single(EventType.ALIAS, "{\"userId\":\"u\",\"previousId\":\"anon-9\"}");

    assertThat(e.previousId()).isEqualTo("anon-9");
    assertThat(e.userId()).isEqualTo("u");
  }

  @Test
  void payload_writeKeyInBody_isExposedBeforeEventsAreBuilt() {
    SegmentParser.Payload payload = parser.readBatch(bytes(
        "{\"writeKey\":\"wk_1\",\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"}]}"));

    assertThat(payload.writeKey()).isEqualTo("wk_1");
    assertThat(payload.size()).isEqualTo(1);
    assertThat(parser.events(payload, RECEIVED, "s").get(0).source()).isEqualTo("s");
  }

  @Test
  void sourceId_isAShortHashNotTheKey() {
    assertThat(SegmentParser.sourceId("wk_live_secret"))
        .isEqualTo(SegmentParser.sourceId("wk_live_secret"))
        .isNotEqualTo(SegmentParser.sourceId("wk_live_other"))
        .matches("[0-9a-f]{12}");
    // SHA-256("abc") starts with ba7816bf8f01
    assertThat(SegmentParser.sourceId("abc")).isEqualTo("ba7816bf8f01");
  }

  @Test
  void parse_noIds_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"event\":\"e\",\"anonymousId\":\"  \",\"userId\":null}"),
        400, "anonymousId or userId is required", null, null);
  }

  @Test
  void parse_idNotStringOrNumber_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"event\":\"e\",\"userId\":{\"id\":1}}"),
        400, "userId must be a string or a number", "userId", null);
  }

  @Test
  void parse_trackWithoutEvent_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"\"}"),
        400, "event is required for track", "event", null);
  }

  @Test
  void parse_aliasWithoutPreviousId_returns400() {
    assertError(() -> single(EventType.ALIAS, "{\"userId\":\"u\"}"),
        400, "previousId is required for alias", "previousId", null);
  }

  @Test
  void parse_aliasWithoutUserId_returns400() {
    assertError(() -> single(EventType.ALIAS, "{\"anonymousId\":\"a\",\"previousId\":\"p\"}"),
        400, "userId is required for alias", "userId", null);
  }

  @Test
  void parse_groupWithoutGroupId_returns400() {
    assertError(() -> single(EventType.GROUP, "{\"userId\":\"u\"}"),
        400, "groupId is required for group", "groupId", null);
  }

  @Test
  void parseBatch_unknownType_returns400WithIndex() {
    assertError(() -> batch("""
        {"batch":[{"type":"track","anonymousId":"a","event":"e"},{"type":"foo","anonymousId":"a"}]}
        """), 400, "type \"foo\" is not one of track, page, screen, identify, alias, group", "type", 1);
  }

  @Test
  void parseBatch_itemWithoutType_returns400WithIndex() {
    assertError(() -> batch("{\"batch\":[{\"anonymousId\":\"a\",\"event\":\"e\"}]}"),
        400, "type is required", "type", 0);
  }

  @Test
  void parse_typeDisagreeingWithPath_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"type\":\"page\",\"anonymousId\":\"a\",\"event\":\"e\"}"),
        400, "type \"page\" does not match the track endpoint", "type", null);
  }

  @Test
  void parse_typeAgreeingWithPath_isAccepted() {
    assertThat(single(EventType.PAGE, "{\"type\":\"page\",\"anonymousId\":\"a\"}").type()).isEqualTo(EventType.PAGE);
  }

  @Test
  void parse_propertiesNotAnObject_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":[1]}"),
        400, "properties must be an object", "properties", null);
  }

  @Test
  void parse_contextPageNotAnObject_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"context\":{\"page\":\"/x\"}}"),
        400, "context.page must be an object", "context.page", null);
  }

  @Test
  void parse_badTimestamp_returns400NamingTheValue() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"yesterday\"}"),
        400, "timestamp \"yesterday\" is not an ISO-8601 date-time", "timestamp", null);
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"sentAt\":1740830400000}"),
        400, "sentAt 1740830400000 is not an ISO-8601 date-time", "sentAt", null);
  }

  @Test
  void parse_timestampPaddedWithSpaces_isReadTrimmed() {
    Event e = single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\" 2025-03-01T11:30:00.5+01:00\\n\"}");

    assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-03-01T10:30:00.500Z"));
  }

  @Test
  void parse_timestampWithOffsetWithoutColon_returns400() {
    assertError(() -> single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"2025-03-01T11:30:00+0100\"}"),
        400, "timestamp \"2025-03-01T11:30:00+0100\" is not an ISO-8601 date-time", "timestamp", null);
  }

  @Test
  void parse_timestampOutsideYears1To9999_returns400() {
    assertError(() -> single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"0001-01-01T00:30:00+01:00\"}"),
        400, "timestamp 0000-12-31T23:30:00Z is out of range: years 1 to 9999", "timestamp", null);
    assertError(() -> single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"timestamp\":\"9999-12-31T23:59:59.9991Z\"}"),
        400, "timestamp 9999-12-31T23:59:59.999100Z is out of range: years 1 to 9999", "timestamp", null);
  }

  @Test
  void parseBatch_badBatchSentAt_returns400WithoutIndex() {
    assertError(() -> batch("{\"sentAt\":\"now\",\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"}]}"),
        400, "sentAt \"now\" is not an ISO-8601 date-time", "sentAt", null);
  }

  @Test
  void parse_invalidJson_returns400WithLineAndColumn() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\n \"event\": }"), 400,
        "body is not valid JSON: unexpected character ('}' (code 125)): expected a value at line 2, column 11",
        null, null);
  }

  @Test
  void parse_truncatedJson_returns400() {
    assertError(() -> batch("{\"batch\":[{\"type\":\"track\""), 400,
        "body is not valid JSON: unexpected end-of-input: expected close marker for Object at line 1, column 26",
        null, null);
  }

  @Test
  void parse_contentAfterTheObject_returns400() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\"} {}"), 400,
        "body is not valid JSON: content after the end of the object at line 1, column 33", null, null);
  }

  @Test
  void parse_bodyNotAnObject_returns400() {
    assertError(() -> single(EventType.TRACK, "[{\"anonymousId\":\"a\"}]"), 400, "body must be a JSON object", null, null);
    assertError(() -> batch("\"batch\""), 400, "body must be a JSON object", null, null);
    assertError(() -> batch(""), 400, "body must be a JSON object", null, null);
    assertError(() -> single(EventType.TRACK, "  "), 400, "body must be a JSON object", null, null);
  }

  @Test
  void parseBatch_batchMissingEmptyOrNotAnArray_returns400() {
    for (String body : List.of("{}", "{\"batch\":[]}", "{\"batch\":{\"type\":\"track\"}}", "{\"batch\":null}")) {
      assertError(() -> batch(body), 400, "batch must be a non-empty array", "batch", null);
    }
  }

  @Test
  void parseBatch_itemNotAnObject_returns400WithIndex() {
    assertError(() -> batch("{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"},\"x\"]}"),
        400, "batch item must be a JSON object", null, 1);
  }

  @Test
  void parseBatch_overTheEventCountLimit_returns413() {
    String item = "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"}";
    String body = "{\"batch\":[" + String.join(",", java.util.Collections.nCopies(3000, item)) + "]}";

    assertError(() -> batch(body), 413, "batch has 3000 events, over the 2500-event limit (NUDGE_MAX_BATCH_EVENTS)",
        null, null);
  }

  @Test
  void parseBatch_itemOverTheEventSizeLimit_returns413WithIndex() {
    String big = "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{"
        + IntStream.range(0, 5).mapToObj(i -> "\"p" + i + "\":\"" + "x".repeat(8000) + "\"")
            .collect(Collectors.joining(",")) + "}}";
    String body = "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"},\n  " + big + " ]}";
    int size = big.getBytes(StandardCharsets.UTF_8).length;

    assertThat(size).isEqualTo(40_101);
    assertError(() -> batch(body), 413, "event is 40101 bytes, over the 32768-byte limit (NUDGE_MAX_EVENT_BYTES)",
        null, 1);
  }

  @Test
  void parse_singleCallOverTheEventSizeLimit_returns413() {
    String body = "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"list\":["
        + String.join(",", java.util.Collections.nCopies(8000, "1234")) + "]}}";

    assertError(() -> single(EventType.TRACK, body), 413,
        "event is " + bytes(body).length + " bytes, over the 32768-byte limit (NUDGE_MAX_EVENT_BYTES)", null, null);
  }

  @Test
  void parse_bodyOverTheRequestLimit_returns413() {
    byte[] body = new byte[600_000];
    Arrays.fill(body, (byte) ' ');

    assertError(() -> parser.readBatch(body), 413,
        "request body is 600000 bytes, over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES)", null, null);
  }

  @Test
  void parseBatch_nestingOverTheDepthLimit_returns400NamingTheField() {
    // the body, batch and item are 3 levels; properties 4; then 17 more reach 21
    String nested = "{\"a\":".repeat(17) + "1" + "}".repeat(17);
    String body = "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"},"
        + "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"deep\":" + nested + "}}]}";

    assertError(() -> batch(body), 400, "nesting is deeper than the 20-level limit (NUDGE_MAX_NESTING_DEPTH)",
        "properties.deep" + ".a".repeat(16), 1);
  }

  @Test
  void parseBatch_nestingAtTheDepthLimit_isAccepted() {
    String nested = "{\"a\":".repeat(16) + "1" + "}".repeat(16);
    String body = "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"deep\":"
        + nested + "}}]}";

    assertThat(batch(body)).hasSize(1);
  }

  @Test
  void parse_stringOverTheLengthLimit_returns400NamingTheField() {
    String body = "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"tags\":[\"ok\",\"" + "é".repeat(8193) + "\"]}}";

    assertError(() -> single(EventType.TRACK, body), 400,
        "string is longer than the 8192-character limit (NUDGE_MAX_STRING_LENGTH)", "properties.tags[1]", null);
  }

  @Test
  void parse_stringAtTheLengthLimit_isAccepted() {
    String body = "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"s\":\"" + "x".repeat(8192) + "\"}}";

    assertThat(single(EventType.TRACK, body).properties().get("s")).asString().hasSize(8192);
  }

  @Test
  void parse_tooManyProperties_returns400() {
    String props = IntStream.range(0, 201).mapToObj(i -> "\"k" + i + "\":" + i).collect(Collectors.joining(","));

    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{" + props + "}}"),
        400, "properties has 201 keys, over the 200-key limit (NUDGE_MAX_PROPERTIES)", "properties", null);
    assertError(() -> single(EventType.IDENTIFY, "{\"anonymousId\":\"a\",\"traits\":{" + props + "}}"),
        400, "traits has 201 keys, over the 200-key limit (NUDGE_MAX_PROPERTIES)", "traits", null);
  }

  @Test
  void parse_duplicateKey_returns400NamingTheKey() {
    assertError(() -> single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"event\":\"f\"}"),
        400, "duplicate key \"event\"", "event", null);
    assertError(() -> batch("""
        {"batch":[{"type":"track","anonymousId":"a","event":"e"},
                  {"type":"track","anonymousId":"a","event":"e","properties":{"p":1,"p":2}}]}
        """), 400, "duplicate key \"p\"", "properties.p", 1);
    assertError(() -> batch("{\"batch\":[],\"batch\":[]}"), 400, "duplicate key \"batch\"", "batch", null);
  }

  @Test
  void parse_stringOverTheLengthLimitInAFieldIngestionDropsUnread_returns400NamingTheField() {
    String big = "x".repeat(8193);

    assertError(() -> batch("{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\","
        + "\"context\":{\"library\":{\"name\":\"" + big + "\"}}}]}"), 400,
        "string is longer than the 8192-character limit (NUDGE_MAX_STRING_LENGTH)", "context.library.name", 0);
    assertError(() -> single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"integrations\":{\"All\":[\"" + big + "\"]}}"), 400,
        "string is longer than the 8192-character limit (NUDGE_MAX_STRING_LENGTH)", "integrations.All[0]", null);
  }

  @Test
  void parse_gpcSentAsTextOrNumber_deniesAsJacksonReadsIt() {
    Map<Purpose, Boolean> denied = Map.of(Purpose.ANALYTICS, false, Purpose.PERSONALIZATION, false);

    assertThat(single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"context\":{\"gpc\":\" true \"}}")
        .context().signals()).isEqualTo(denied);
    assertThat(single(EventType.TRACK, "{\"anonymousId\":\"a\",\"event\":\"e\",\"context\":{\"privacy\":{\"gpc\":1}}}")
        .context().signals()).isEqualTo(denied);
    assertThat(single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"context\":{\"gpc\":{\"x\":1},\"privacy\":{\"gpc\":0.5}}}")
        .context().signals()).isEmpty();
  }

  @Test
  void parse_contextFieldSentAsAnArray_returns400() {
    assertError(() -> single(EventType.TRACK,
        "{\"anonymousId\":\"a\",\"event\":\"e\",\"context\":{\"userAgent\":[\"Mozilla\"]}}"),
        400, "context.userAgent must be a string", "context.userAgent", null);
  }

  @Test
  void parseBatch_objectsUnderTheSameKeyInBothContexts_areMergedBeforeTheyAreRead() {
    assertError(() -> batch("{\"context\":{\"page\":{\"path\":{\"a\":1}}},\"batch\":[{\"type\":\"page\","
        + "\"anonymousId\":\"a\",\"context\":{\"page\":{\"path\":{\"b\":2}}}}]}"),
        400, "context.page.path must be a string", "context.page.path", 0);
  }

  @Test
  void parse_bodyNotAnObjectAndNotValidJson_returns400ForTheSyntax() {
    assertError(() -> single(EventType.TRACK, "[1,}"), 400,
        "body is not valid JSON: unexpected character ('}' (code 125)): expected a value at line 1, column 4", null, null);
  }

  @Test
  void payload_writeKeyNotAString_isNoKey() {
    SegmentParser.Payload payload = parser.readBatch(bytes(
        "{\"writeKey\":7,\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\"}]}"));

    assertThat(payload.writeKey()).isNull();
  }

  private Event single(EventType type, String json) {
    List<Event> events = parser.parse(type, bytes(json), RECEIVED, SOURCE);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  private List<Event> batch(String json) {
    return parser.parseBatch(bytes(json), RECEIVED, SOURCE);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void assertError(ThrowingCallable call, int status, String message, String field, Integer index) {
    io.vertx.core.json.JsonObject expected = new io.vertx.core.json.JsonObject().put("error", message);
    if (field != null) {
      expected.put("field", field);
    }
    if (index != null) {
      expected.put("index", index);
    }
    assertThatThrownBy(call).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.toJson().encode()).isEqualTo(expected.encode());
      assertThat(e.status()).isEqualTo(status);
    });
  }
}
