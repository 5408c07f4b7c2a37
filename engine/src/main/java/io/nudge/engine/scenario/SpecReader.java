package io.nudge.engine.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nudge.engine.Purpose;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the scenarios of one file: a YAML document per scenario (separated by {@code ---}), or one
 * document holding a list of them. Every mistake is a {@link BadScenario} naming the key and value.
 */
final class SpecReader {
  static final long DEFAULT_TAIL = 5 * 60_000;
  private static final List<String> TOP = List.of("scenario", "customer", "consent", "events", "then", "expect");
  private static final List<String> CUSTOMER = List.of("anonymousId", "userId", "timezone");
  private static final List<String> STEP = List.of("at", "page", "track", "properties", "interaction", "outcome");
  private static final List<String> KINDS = List.of("page", "track", "interaction", "outcome");
  private static final List<String> INTERACTION = List.of("channel", "direction", "ago", "queue", "agentId",
      "caseId", "reason", "resolved", "csat", "nps");
  private static final List<String> INTERACTION_TEXTS = List.of("queue", "agentId", "caseId", "reason");
  private static final List<String> CHANNELS = List.of("call", "chat", "email", "social", "store");
  private static final List<String> DIRECTIONS = List.of("inbound", "outbound");
  private static final List<String> OUTCOMES = List.of("shown", "accepted", "declined", "ignored");
  private static final List<String> EXPECT_FIELDS = List.of("queue", "message", "title", "body", "url");
  private static final List<String> EXPECT = List.of("type", "rule", "at", "queue", "message", "title", "body",
      "url", "context");
  private static final List<String> TYPES = List.of("proactive_chat", "callback", "tip");
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private SpecReader() {}

  /** The scenarios' nodes, one per scenario; {@link BadScenario} when the file is not YAML. */
  static List<JsonNode> documents(String text) {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (doc.isArray()) {
          doc.forEach(out::add);
        } else {
          out.add(doc);
        }
      }
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        throw new BadScenario("not valid YAML: " + m.getProblem() + " (line " + (m.getProblemMark().getLine() + 1)
            + ", column " + (m.getProblemMark().getColumn() + 1) + ")");
      }
      var where = e.getLocation();
      throw new BadScenario("not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")
          + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
    } catch (IOException | RuntimeException e) {
      throw new BadScenario("not valid YAML: " + e.getMessage());
    }
    return out;
  }

  /** The scenario's name, so errors in the rest of it can name it; null when it has none. */
  static String name(JsonNode node) {
    JsonNode name = node.get("scenario");
    return name != null && name.isTextual() && !name.textValue().isBlank() ? name.textValue().trim() : null;
  }

  static Spec read(JsonNode node) {
    if (!node.isObject()) {
      throw new BadScenario("a scenario must be a map with the keys " + String.join(", ", TOP));
    }
    known(node, "", TOP);
    if (name(node) == null) {
      throw new BadScenario("scenario (its name) is required");
    }
    JsonNode customer = node.path("customer");
    if (!customer.isMissingNode()) {
      object(customer, "customer");
      known(customer, "customer.", CUSTOMER);
    }
    String anonymousId = text(customer, "anonymousId", "customer.anonymousId");
    String userId = text(customer, "userId", "customer.userId");
    if (anonymousId == null && userId == null) {
      anonymousId = "visitor";
    }
    List<Spec.Step> steps = steps(node.path("events"));
    long tail = node.has("then") ? time(node.get("then"), "then") : DEFAULT_TAIL;
    return new Spec(name(node), anonymousId, userId, text(customer, "timezone", "customer.timezone"),
        consent(node.path("consent")), steps, tail, expect(node.get("expect")));
  }

  private static Map<Purpose, Boolean> consent(JsonNode node) {
    Map<Purpose, Boolean> out = new EnumMap<>(Purpose.class);
    if (node.isMissingNode()) {
      return out;
    }
    object(node, "consent");
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      Purpose purpose = Purpose.fromId(e.getKey()).orElseThrow(() -> new BadScenario("unknown key consent."
          + e.getKey() + "; known keys: analytics, personalization, proactive_chat, callback"));
      String value = e.getValue().asText("");
      if (!value.equals("granted") && !value.equals("denied")) {
        throw new BadScenario("consent." + e.getKey() + " " + render(e.getValue()) + " is not granted or denied");
      }
      out.put(purpose, value.equals("granted"));
    }
    return out;
  }

  private static List<Spec.Step> steps(JsonNode events) {
    if (events.isMissingNode()) {
      throw new BadScenario("events is required: the customer's page views, track calls and interactions");
    }
    if (!events.isArray()) {
      throw new BadScenario("events must be a list");
    }
    List<Spec.Step> out = new ArrayList<>();
    long last = 0;
    for (int i = 0; i < events.size(); i++) {
      Spec.Step step = step(events.get(i), "events[" + i + "]", i);
      if (step.at() < last) {
        throw new BadScenario("events[" + i + "].at " + Times.format(step.at()) + " is before events[" + (i - 1)
            + "].at " + Times.format(last) + "; list events in time order");
      }
      last = step.at();
      out.add(step);
    }
    return out;
  }

  private static Spec.Step step(JsonNode node, String where, int index) {
    object(node, where);
    known(node, where + ".", STEP);
    List<String> kinds = KINDS.stream().filter(node::has).toList();
    if (kinds.size() != 1) {
      throw new BadScenario(where + " must have exactly one of page, track, interaction, outcome"
          + (kinds.isEmpty() ? "" : "; it has " + String.join(", ", kinds)));
    }
    if (!node.has("at")) {
      throw new BadScenario(where + ".at is required, a time such as +35s");
    }
    long at = time(node.get("at"), where + ".at");
    String kind = kinds.get(0);
    if (node.has("properties") && !kind.equals("page") && !kind.equals("track")) {
      throw new BadScenario(where + ".properties is only for page and track");
    }
    return switch (kind) {
      case "page", "track" -> new Spec.Behaviour(at, kind.equals("page"), required(node, kind, where + "." + kind),
          properties(node.path("properties"), where + ".properties"));
      case "interaction" -> contact(node.get(kind), where + ".interaction", at);
      default -> reaction(node.get(kind), where + ".outcome", at, index);
    };
  }

  private static Spec.Contact contact(JsonNode node, String where, long at) {
    object(node, where);
    known(node, where + ".", INTERACTION);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("channel", oneOf(node, "channel", where, CHANNELS, null));
    p.put("direction", oneOf(node, "direction", where, DIRECTIONS, "inbound"));
    for (String field : INTERACTION_TEXTS) {
      String value = text(node, field, where + "." + field);
      if (value != null) {
        p.put(field, value);
      }
    }
    JsonNode resolved = node.path("resolved");
    if (!resolved.isMissingNode() && !resolved.isBoolean()) {
      throw new BadScenario(where + ".resolved " + render(resolved) + " is not true or false");
    }
    p.put("resolved", resolved.asBoolean(false));
    score(node, "csat", where, 1, 5, p);
    score(node, "nps", where, 0, 10, p);
    long ago = node.has("ago") ? time(node.get("ago"), where + ".ago") : 0;
    return new Spec.Contact(at, ago, p);
  }

  private static Spec.Reaction reaction(JsonNode node, String where, long at, int index) {
    object(node, where);
    known(node, where + ".", List.of("rule", "outcome"));
    return new Spec.Reaction(at, index, required(node, "rule", where + ".rule"),
        oneOf(node, "outcome", where, OUTCOMES, null));
  }

  private static List<Spec.Expected> expect(JsonNode node) {
    if (node == null) {
      throw new BadScenario("expect is required: a list of engagements, or none");
    }
    if (node.isTextual() && node.textValue().equals("none")) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BadScenario("expect " + render(node) + " is not a list of engagements or none");
    }
    List<Spec.Expected> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String where = "expect[" + i + "]";
      JsonNode e = node.get(i);
      object(e, where);
      known(e, where + ".", EXPECT);
      String type = oneOf(e, "type", where, TYPES, null);
      Long at = e.has("at") ? time(e.get("at"), where + ".at") : null;
      Map<String, String> fields = new LinkedHashMap<>();
      for (String f : EXPECT_FIELDS) {
        if (e.has(f)) {
          fields.put(f, e.get(f).asText());
        }
      }
      Map<String, String> context = new LinkedHashMap<>();
      JsonNode c = e.path("context");
      if (!c.isMissingNode()) {
        object(c, where + ".context");
        c.properties().forEach(entry -> context.put(entry.getKey(), entry.getValue().asText()));
      }
      out.add(new Spec.Expected(type, required(e, "rule", where + ".rule"), at, fields, context));
    }
    return out;
  }

  private static Map<String, Object> properties(JsonNode node, String where) {
    if (node.isMissingNode()) {
      return Map.of();
    }
    object(node, where);
    Map<String, Object> out = YAML.convertValue(node, YAML.getTypeFactory()
        .constructMapType(LinkedHashMap.class, String.class, Object.class));
    return out;
  }

  private static void known(JsonNode node, String prefix, List<String> keys) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!keys.contains(key)) {
        throw new BadScenario("unknown key " + prefix + key + "; known keys: " + String.join(", ", keys));
      }
    }
  }

  private static void object(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new BadScenario(where + " " + render(node) + " is not a map");
    }
  }

  private static long time(JsonNode node, String where) {
    String text = node.isTextual() ? node.textValue() : node.isIntegralNumber() && node.asLong() == 0 ? "0s" : null;
    return Times.parse(text).orElseThrow(() -> new BadScenario(where + " " + render(node)
        + " is not a time such as +35s, +2m, +1h30m or +3d (at most 366d)"));
  }

  private static String text(JsonNode parent, String key, String where) {
    JsonNode node = parent.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isValueNode() || node.asText().isBlank()) {
      throw new BadScenario(where + " " + render(node) + " is not a text");
    }
    return node.asText();
  }

  private static String required(JsonNode parent, String key, String where) {
    String value = text(parent, key, where);
    if (value == null) {
      throw new BadScenario(where + " is required");
    }
    return value;
  }

  private static String oneOf(JsonNode parent, String key, String where, List<String> allowed, String fallback) {
    String value = text(parent, key, where + "." + key);
    if (value == null) {
      if (fallback == null) {
        throw new BadScenario(where + "." + key + " is required, one of " + String.join(", ", allowed));
      }
      return fallback;
    }
    if (!allowed.contains(value)) {
      throw new BadScenario(where + "." + key + " " + render(parent.get(key)) + " is not one of "
          + String.join(", ", allowed));
    }
    return value;
  }

  private static void score(JsonNode parent, String key, String where, int min, int max, Map<String, Object> out) {
    JsonNode node = parent.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    if (!node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
      throw new BadScenario(where + "." + key + " " + render(node) + " is not a whole number from " + min
          + " to " + max);
    }
    out.put(key, node.asInt());
  }

  private static String render(JsonNode node) {
    return node.isTextual() ? "\"" + node.textValue() + "\"" : node.toString();
  }
}
