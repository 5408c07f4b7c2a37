package io.nudge.rules;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Purpose;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one case's customer has chosen, kept apart from the engine's consent store and gate, and what
 * that means for an engagement.
 *
 * <p>The rules it holds the engine to: the newest choice per purpose wins; within one event a privacy
 * signal comes after that event's {@code context.consent}; an unset purpose means what the consent
 * default says. A choice made through the API holds for the customer the id belongs to, and moves with
 * them when the engine merges a second device's customer into the user's. A choice carried by an event
 * holds for the device that sent it, whether the engine served that visit from memory only (analytics
 * denied: customer id {@code x:a:<device>}) or stored it, and for the customer the device belongs to;
 * a memory-only device of a stored customer holds all of that customer's choices.
 *
 * <p>One leeway: a visitor served from memory only is forgotten once their visit has ended, their choices
 * too, by design; so an event's choice made before a gap of a whole visit timeout in that device's
 * events may or may not still count, and where that changes the answer the verdict is {@link
 * Verdict#EITHER} and the decision is not judged.
 *
 * <p>Which customer an id belongs to is read from the engine ({@link #seen}): identity resolution is
 * not what this oracle checks, consent is.
 */
final class ConsentOracle {
  /**
   * The purpose each engagement type needs, written out here rather than read from
   * {@link EngagementType#purpose()}, so a change to that mapping fails the test.
   */
  static final Map<EngagementType, Purpose> NEEDS = Map.of(
      EngagementType.PROACTIVE_CHAT, Purpose.PROACTIVE_CHAT,
      EngagementType.CALLBACK, Purpose.CALLBACK,
      EngagementType.TIP, Purpose.PERSONALIZATION);

  /** The prefix of a customer the engine serves from memory only, followed by the device key. */
  private static final String MEMORY_ONLY = "x:a:";

  enum Verdict { GRANTED, DENIED, EITHER }

  private record Choice(boolean granted, long at, String source) {
    boolean newerThan(Choice other) {
      return other == null || at >= other.at;
    }
  }

  /** Per device and purpose: the newest choice, and the newest made since the device's last long gap. */
  private static final class DeviceChoices {
    final Map<Purpose, Choice> newest = new EnumMap<>(Purpose.class);
    final Map<Purpose, Choice> thisVisit = new EnumMap<>(Purpose.class);
    long lastEventAt = Long.MIN_VALUE;
  }

  private final ConsentDefault whenUnset;
  private final long visitTimeoutMillis;
  private final Map<String, Map<Purpose, Choice>> byCustomer = new HashMap<>();
  private final Map<String, DeviceChoices> byDevice = new HashMap<>();
  private final Map<String, String> customerOfId = new HashMap<>();
  /** Every id ever filed under each customer; one merged away keeps its devices for what it decides as it goes. */
  private final Map<String, Set<String>> idsEverOf = new HashMap<>();

  ConsentOracle(ConsentDefault whenUnset, long visitTimeoutMillis) {
    this.whenUnset = whenUnset;
    this.visitTimeoutMillis = visitTimeoutMillis;
  }

  /** Choices made through the API for the customer an id belongs to. */
  void choseForCustomer(String customerId, Map<Purpose, Boolean> made, long at, String source) {
    Map<Purpose, Choice> mine = byCustomer.computeIfAbsent(customerId, k -> new EnumMap<>(Purpose.class));
    for (Map.Entry<Purpose, Boolean> c : made.entrySet()) {
      put(mine, c.getKey(), new Choice(c.getValue(), at, source));
    }
  }

  /** An event from {@code device} arrived at {@code receivedAt}; a long gap before it starts a new visit. */
  void deviceEvent(String device, long receivedAt) {
    DeviceChoices d = byDevice.computeIfAbsent(device, k -> new DeviceChoices());
    if (d.lastEventAt != Long.MIN_VALUE && receivedAt - d.lastEventAt >= visitTimeoutMillis) {
      d.thisVisit.clear();
    }
    d.lastEventAt = receivedAt;
  }

  /** Choices an event of {@code device} carried, stamped {@code at}. */
  void choseOnDevice(String device, Map<Purpose, Boolean> made, long at, String source) {
    DeviceChoices d = byDevice.computeIfAbsent(device, k -> new DeviceChoices());
    for (Map.Entry<Purpose, Boolean> c : made.entrySet()) {
      Choice choice = new Choice(c.getValue(), at, source);
      put(d.newest, c.getKey(), choice);
      put(d.thisVisit, c.getKey(), choice);
    }
  }

  private static void put(Map<Purpose, Choice> into, Purpose purpose, Choice choice) {
    if (choice.newerThan(into.get(purpose))) {
      into.put(purpose, choice);
    }
  }

  /** The engine files {@code id} under {@code customerId} now; if that changed, the old customer was merged in. */
  void seen(String id, String customerId) {
    String before = customerOfId.put(id, customerId);
    idsEverOf.computeIfAbsent(customerId, k -> new HashSet<>()).add(id);
    if (before != null && !before.equals(customerId)) {
      Map<Purpose, Choice> into = byCustomer.computeIfAbsent(customerId, k -> new EnumMap<>(Purpose.class));
      byCustomer.getOrDefault(before, Map.of()).forEach((p, c) -> put(into, p, c));
    }
  }

  /** True when the engine may make decisions about this customer in this case. */
  boolean knows(String customerId) {
    return customerId.startsWith(MEMORY_ONLY) ? byDevice.containsKey(customerId.substring(MEMORY_ONLY.length()))
        : idsEverOf.containsKey(customerId);
  }

  Verdict verdict(String customerId, Purpose purpose) {
    Choice all = null;
    Choice kept = null;
    for (Map<Purpose, Choice> c : customerChoices(customerId)) {
      Choice choice = c.get(purpose);
      if (choice != null && choice.newerThan(all)) {
        all = choice;
      }
      if (choice != null && choice.newerThan(kept)) {
        kept = choice;
      }
    }
    for (DeviceChoices d : deviceChoices(customerId)) {
      Choice newest = d.newest.get(purpose);
      if (newest != null && newest.newerThan(all)) {
        all = newest;
      }
      Choice thisVisit = d.thisVisit.get(purpose);
      if (thisVisit != null && thisVisit.newerThan(kept)) {
        kept = thisVisit;
      }
    }
    boolean withAll = granted(all);
    return withAll != granted(kept) ? Verdict.EITHER : withAll ? Verdict.GRANTED : Verdict.DENIED;
  }

  private boolean granted(Choice c) {
    return c == null ? whenUnset == ConsentDefault.OPT_OUT : c.granted();
  }

  /** The API choices that hold for a customer: their own, or for a memory-only visitor their device's customer's. */
  private List<Map<Purpose, Choice>> customerChoices(String customerId) {
    String stored = customerId.startsWith(MEMORY_ONLY)
        ? customerOfId.get(customerId.substring(MEMORY_ONLY.length())) : customerId;
    return stored == null ? List.of() : List.of(byCustomer.getOrDefault(stored, Map.of()));
  }

  /** The event choices that hold: of a memory-only visitor's device, or of each device filed under the customer. */
  private List<DeviceChoices> deviceChoices(String customerId) {
    List<DeviceChoices> out = new ArrayList<>();
    if (customerId.startsWith(MEMORY_ONLY)) {
      String device = customerId.substring(MEMORY_ONLY.length());
      DeviceChoices d = byDevice.get(device);
      if (d != null) {
        out.add(d);
      }
      // a memory-only device of a stored customer holds that customer's choices, from every device
      String stored = customerOfId.get(device);
      if (stored == null) {
        return out;
      }
      customerId = stored;
    }
    for (String id : idsEverOf.getOrDefault(customerId, Set.of())) {
      DeviceChoices d = byDevice.get(id);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  /** What the oracle holds for a customer, for failure messages. */
  String describe(String customerId) {
    StringBuilder out = new StringBuilder(whenUnset.name().toLowerCase(Locale.ROOT)).append(" default");
    for (Map<Purpose, Choice> c : customerChoices(customerId)) {
      out.append("; api ").append(c);
    }
    for (DeviceChoices d : deviceChoices(customerId)) {
      out.append("; device newest ").append(d.newest).append(", this visit ").append(d.thisVisit);
    }
    return out.append("; ids ").append(customerOfId).toString();
  }
}
