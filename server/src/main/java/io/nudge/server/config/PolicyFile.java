package io.nudge.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nudge.engine.EngagementType;
import io.nudge.engine.InvalidInputException;
import io.nudge.engine.policy.Cap;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.policy.Cooldown;
import io.nudge.engine.policy.QueueRules;
import io.nudge.engine.policy.QuietHours;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the contact policy from a YAML file (by default {@code policy.yaml} in the rules folder). A
 * section left out keeps its default from {@link ContactPolicy#defaults()}; a key the reader does not
 * know is an error, so a typo never silently turns a cap off. Errors name the file, the key path and
 * the value: {@code policy.yaml: caps[1].max is "three", must be a whole number}.
 */
public final class PolicyFile {
  private static final Pattern SPAN = Pattern.compile("(\\d{1,2}:\\d{2})-(\\d{1,2}:\\d{2})");

  private final String name;

  private PolicyFile(String name) {
    this.name = name;
  }

  /** The policy in {@code file}. */
  public static ContactPolicy read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("policy file \"" + file + "\" cannot be read: " + e.getMessage());
    }
    return parse(text, file.getFileName().toString());
  }

  /** The policy in {@code yaml}; {@code name} is used in error messages. */
  public static ContactPolicy parse(String yaml, String name) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(name + ":" + e.getLocation().getLineNr() + ": not valid YAML: "
          + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return ContactPolicy.defaults();
    }
    PolicyFile f = new PolicyFile(name);
    try {
      return f.policy(root);
    } catch (InvalidInputException e) {
      throw new ConfigException(name + ": " + e.getMessage());
    }
  }

  private ContactPolicy policy(JsonNode root) {
    object(root, "", Set.of("caps", "cooldowns", "quietHours", "queues", "holdouts", "arbitrationWindow",
        "activeChat", "pendingCallback"));
    ContactPolicy d = ContactPolicy.defaults();
    return new ContactPolicy(
        root.has("caps") ? caps(root.get("caps")) : d.caps(),
        root.has("cooldowns") ? cooldowns(root.get("cooldowns")) : d.cooldowns(),
        root.has("quietHours") ? quietHours(root.get("quietHours")) : d.quietHours(),
        root.has("queues") ? queues(root.get("queues")) : d.queues(),
        root.has("holdouts") ? holdouts(root.get("holdouts")) : d.holdouts(),
        root.has("arbitrationWindow") ? duration(root.get("arbitrationWindow"), "arbitrationWindow", true)
            : d.arbitrationWindow(),
        root.has("activeChat") ? duration(root.get("activeChat"), "activeChat", true) : d.activeChat(),
        root.has("pendingCallback") ? duration(root.get("pendingCallback"), "pendingCallback", true)
            : d.pendingCallback());
  }

  private List<Cap> caps(JsonNode node) {
    List<Cap> caps = new ArrayList<>();
    for (int i = 0; i < array(node, "caps").size(); i++) {
      String at = "caps[" + i + "]";
      JsonNode c = object(node.get(i), at, Set.of("name", "type", "max", "per"));
      caps.add(new Cap(text(c, at, "name"), c.has("type") ? type(c.get("type"), at + ".type") : null,
          whole(c, at, "max"), duration(required(c, at, "per"), at + ".per", false)));
    }
    return caps;
  }

  private List<Cooldown> cooldowns(JsonNode node) {
    List<Cooldown> out = new ArrayList<>();
    for (int i = 0; i < array(node, "cooldowns").size(); i++) {
      String at = "cooldowns[" + i + "]";
      JsonNode c = object(node.get(i), at, Set.of("after", "type", "for"));
      String after = text(c, at, "after");
      if (!after.equals("declined") && !after.equals("ignored")) {
        throw fail(at + ".after", after, "must be declined or ignored");
      }
      out.add(new Cooldown(after, c.has("type") ? type(c.get("type"), at + ".type") : null,
          duration(required(c, at, "for"), at + ".for", true)));
    }
    return out;
  }

  private QuietHours quietHours(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    JsonNode q = object(node, "quietHours", Set.of("from", "until", "types", "defaultZone"));
    Set<EngagementType> types = new HashSet<>();
    if (q.has("types")) {
      JsonNode t = array(q.get("types"), "quietHours.types");
      for (int i = 0; i < t.size(); i++) {
        types.add(type(t.get(i), "quietHours.types[" + i + "]"));
      }
    } else {
      types.add(EngagementType.CALLBACK);
    }
    return new QuietHours(time(text(q, "quietHours", "from"), "quietHours.from"),
        time(text(q, "quietHours", "until"), "quietHours.until"), types,
        q.has("defaultZone") ? zone(text(q, "quietHours", "defaultZone"), "quietHours.defaultZone") : ZoneId.of("UTC"));
  }

  private Map<String, QueueRules> queues(JsonNode node) {
    Map<String, QueueRules> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object(node, "queues", null).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "queues." + e.getKey();
      JsonNode q = object(e.getValue(), at, Set.of("zone", "hours", "holidays", "maxWait"));
      ZoneId zone = q.has("zone") ? zone(text(q, at, "zone"), at + ".zone") : ZoneId.of("UTC");
      Map<DayOfWeek, List<QueueRules.Opening>> week = q.has("hours") ? week(q.get("hours"), at + ".hours") : null;
      Set<LocalDate> holidays = new HashSet<>();
      if (q.has("holidays")) {
        JsonNode h = array(q.get("holidays"), at + ".holidays");
        for (int i = 0; i < h.size(); i++) {
          String where = at + ".holidays[" + i + "]";
          try {
            holidays.add(LocalDate.parse(h.get(i).asText()));
          } catch (DateTimeParseException x) {
            throw fail(where, h.get(i).asText(), "must be a date such as 2026-12-25");
          }
        }
      }
      Duration maxWait = q.has("maxWait") ? duration(q.get("maxWait"), at + ".maxWait", true) : null;
      out.put(e.getKey(), new QueueRules(zone, week, holidays, maxWait));
    }
    return out;
  }

  private Map<DayOfWeek, List<QueueRules.Opening>> week(JsonNode node, String at) {
    Map<DayOfWeek, List<QueueRules.Opening>> week = new EnumMap<>(DayOfWeek.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = object(node, at, null).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = at + "." + e.getKey();
      DayOfWeek day;
      try {
        day = DayOfWeek.valueOf(e.getKey().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException x) {
        throw fail(where, e.getKey(), "not a day: use monday to sunday");
      }
      List<QueueRules.Opening> spans = new ArrayList<>();
      JsonNode list = e.getValue().isTextual() ? null : array(e.getValue(), where);
      int n = list == null ? 1 : list.size();
      for (int i = 0; i < n; i++) {
        String span = list == null ? e.getValue().asText() : list.get(i).asText();
        if (span.equals("closed")) {
          continue;
        }
        Matcher m = SPAN.matcher(span);
        if (!m.matches()) {
          throw fail(where, span, "must be opening times such as \"09:00-18:00\" or closed");
        }
        LocalTime open = time(m.group(1), where);
        LocalTime close = m.group(2).equals("24:00") ? LocalTime.MAX : time(m.group(2), where);
        if (!open.isBefore(close)) {
          throw fail(where, span, "must open before it closes");
        }
        spans.add(new QueueRules.Opening(open, close));
      }
      week.put(day, spans);
    }
    return week;
  }

  private Map<String, Integer> holdouts(JsonNode node) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object(node, "holdouts", null).fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "holdouts." + e.getKey();
      String v = e.getValue().asText().replace("%", "").trim();
      if (!v.matches("\\d{1,3}") || Integer.parseInt(v) > 100) {
        throw fail(at, e.getValue().asText(), "must be a percentage from 0 to 100");
      }
      out.put(e.getKey(), Integer.parseInt(v));
    }
    return out;
  }

  // --- scalars -------------------------------------------------------------------------------------

  private JsonNode object(JsonNode node, String at, Set<String> keys) {
    if (node == null || !node.isObject()) {
      throw new ConfigException(name + ": " + (at.isEmpty() ? "the file" : at) + " must be a mapping of keys");
    }
    if (keys != null) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!keys.contains(key)) {
          throw new ConfigException(name + ": " + (at.isEmpty() ? "" : at + ".") + key
              + " is not a policy setting; known here: " + String.join(", ", new java.util.TreeSet<>(keys)));
        }
      }
    }
    return node;
  }

  private JsonNode array(JsonNode node, String at) {
    if (!node.isArray()) {
      throw new ConfigException(name + ": " + at + " must be a list");
    }
    return node;
  }

  private JsonNode required(JsonNode node, String at, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new ConfigException(name + ": " + at + "." + key + " is required");
    }
    return v;
  }

  private String text(JsonNode node, String at, String key) {
    return required(node, at, key).asText();
  }

  private int whole(JsonNode node, String at, String key) {
    JsonNode v = required(node, at, key);
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw fail(at + "." + key, v.asText(), "must be a whole number");
    }
    return v.intValue();
  }

  private Duration duration(JsonNode node, String at, boolean zeroAllowed) {
    String v = node.asText();
    Duration d = Durations.parse(v);
    if (d == null) {
      throw fail(at, v, "must be a duration such as " + Durations.EXAMPLES);
    }
    if (!zeroAllowed && d.isZero()) {
      throw fail(at, v, "must be more than zero");
    }
    return d;
  }

  private EngagementType type(JsonNode node, String at) {
    for (EngagementType t : EngagementType.values()) {
      if (t.id().equals(node.asText())) {
        return t;
      }
    }
    throw fail(at, node.asText(), "must be proactive_chat, callback or tip");
  }

  private LocalTime time(String v, String at) {
    try {
      return LocalTime.parse(v.length() == 4 ? "0" + v : v);
    } catch (DateTimeParseException e) {
      throw fail(at, v, "must be a time such as 09:00");
    }
  }

  private ZoneId zone(String v, String at) {
    try {
      return ZoneId.of(v);
    } catch (DateTimeException e) {
      throw fail(at, v, "not a time zone: use a name such as Europe/Paris or UTC");
    }
  }

  private ConfigException fail(String at, String value, String problem) {
    return new ConfigException(name + ": " + at + " is \"" + value + "\", " + problem);
  }
}
