package io.nudge.rules;

import static org.assertj.core.api.Assertions.fail;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One case of the consent property: a customer with a random initial consent, then a random mix of
 * shopping, form trouble, cancel searches, help pages, contact-centre interactions, identifies (from a
 * second device too), outcomes and idle time, interleaved with consent changes through the API, through
 * {@code context.consent} and through browser privacy signals. Every decision the engine makes is
 * checked against {@link ConsentOracle} as soon as the shard has made it.
 */
final class ConsentCase {
  private static final Map<Purpose, Boolean> SIGNAL = Map.of(Purpose.ANALYTICS, false, Purpose.PERSONALIZATION, false);
  private static final String[] ZONES = {"Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"};
  private static final String[] PRODUCTS = {"lamp", "sofa", "pen", "rug"};
  private static final String[] CHECKOUT = {"/checkout", "/checkout/shipping", "/checkout/payment"};
  private static final String[] HELP = {"/help", "/help/returns", "/contact", "/account", "/"};
  private static final String[] QUEUES = {"billing", "support", ""};

  private final SteppedEngine engine;
  private final ConsentOracle oracle;
  private final Random random;
  private final String label;
  private final ConsentPropertyTest.Tally tally;
  private final boolean consentOnly;
  private final String device;
  private final String secondDevice;
  private final String user;
  private final String zone;
  private final long start;
  private final Set<String> identified = new HashSet<>();
  private final Map<String, String> lastOutcome = new LinkedHashMap<>();
  private final Set<Long> choiceTimes = new HashSet<>();
  private final List<String> trace = new ArrayList<>();
  private String currentDevice;
  private Map<Purpose, Boolean> pendingConsent = Map.of();
  private boolean pendingSignal;

  /**
   * @param label names the case in failure messages, with how to replay it
   * @param consentOnly true when no contact policy runs: then consent alone decides, both ways, but for
   *     arbitration between asks of one firing
   */
  ConsentCase(SteppedEngine engine, Random random, int index, String label, ConsentPropertyTest.Tally tally,
      boolean consentOnly) {
    this.engine = engine;
    this.oracle = new ConsentOracle(engine.consentDefault(), SteppedEngine.VISIT_TIMEOUT.toMillis());
    this.random = random;
    this.label = label;
    this.tally = tally;
    this.consentOnly = consentOnly;
    this.device = "v" + index;
    this.secondDevice = random.nextInt(3) == 0 ? "w" + index : null;
    this.user = "u" + index;
    this.zone = random.nextBoolean() ? null : ZONES[random.nextInt(ZONES.length)];
    this.currentDevice = device;
    this.start = engine.now();
  }

  void play() {
    initialConsent();
    int episodes = 6 + random.nextInt(10);
    for (int i = 0; i < episodes; i++) {
      episode();
    }
    // let every idle timer of this customer run out inside the case, then the arbitration window of
    // what those timers asked for
    engine.advance(120_000);
    settleAndCheck();
    engine.advance(5_000);
    settleAndCheck();
    tally.cases++;
  }

  /** Each purpose granted, denied or unset, given through the API or the first event, before or after it. */
  private void initialConsent() {
    Map<Purpose, Boolean> initial = new EnumMap<>(Purpose.class);
    for (Purpose p : Purpose.values()) {
      int pick = random.nextInt(3);
      if (pick < 2) {
        initial.put(p, pick == 0);
      }
    }
    switch (random.nextInt(3)) {
      case 0 -> consentByApi(user, initial); // from a CRM, before the visitor is known
      case 1 -> pendingConsent = initial;
      default -> {
        page(HELP[random.nextInt(HELP.length)]);
        consentByApi(device, initial);
      }
    }
  }

  private void episode() {
    int roll = random.nextInt(100);
    if (roll < 24) {
      shop();
    } else if (roll < 34) {
      struggleWithAForm();
    } else if (roll < 43) {
      searchOrCancel();
    } else if (roll < 53) {
      page(HELP[random.nextInt(HELP.length)]);
    } else if (roll < 61) {
      contactCentre();
    } else if (roll < 67) {
      identify();
    } else if (roll < 75) {
      outcome();
    } else if (roll < 86) {
      consentByApi(anyId(), randomChoices());
    } else if (roll < 91) {
      pendingConsent = randomChoices(); // rides on the next event
    } else if (roll < 94) {
      pendingSignal = true;
    } else if (roll < 97) {
      idle(1_000 + random.nextInt(60_000));
    } else {
      idle((31 + random.nextInt(15)) * 60_000L); // a new visit
    }
  }

  // --- episodes ----------------------------------------------------------------------------------

  private void shop() {
    switchDeviceSometimes();
    String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
    page("/products/" + product);
    for (int n = random.nextInt(3); n > 0; n--) {
      track("Product Added", properties("product_id", product, "name", "Product " + product,
          "price", 20 + random.nextInt(380), "quantity", 1 + random.nextInt(2)));
    }
    if (random.nextBoolean()) {
      page("/cart");
    }
    page(CHECKOUT[random.nextInt(CHECKOUT.length)]);
    idle(random.nextInt(3) == 0 ? 1_000 + random.nextInt(28_000) : 31_000 + random.nextInt(60_000));
    if (random.nextInt(8) == 0) {
      track("Order Completed", properties("order_id", "o" + random.nextInt(1000), "total", 150));
    }
  }

  private void struggleWithAForm() {
    String form = random.nextInt(4) == 0 ? "signup" : "contact";
    for (int n = 1 + random.nextInt(5); n > 0; n--) {
      track("Form Error", properties("form", form, "field", "birthdate"));
    }
  }

  private void searchOrCancel() {
    switch (random.nextInt(3)) {
      case 0 -> track("Products Searched", Map.of("query", "how do I cancel my plan"));
      case 1 -> page("/account/cancel");
      default -> track("Products Searched", Map.of("query", "lamp"));
    }
  }

  /** A contact-centre record of the user: a past call or chat, maybe open or badly rated, or a chat going on now. */
  private void contactCentre() {
    Map<String, Object> p = new LinkedHashMap<>();
    String channel = random.nextBoolean() ? "call" : random.nextBoolean() ? "chat" : "email";
    p.put("channel", channel);
    boolean ongoing = channel.equals("chat") && random.nextInt(4) == 0;
    long ago = ongoing ? 60_000 : (long) (random.nextDouble() * 10 * 86_400_000L);
    p.put("startedAt", engine.now() - ago);
    p.put("caseId", "case-" + random.nextInt(3));
    p.put("queue", QUEUES[random.nextInt(QUEUES.length)]);
    p.put("resolved", !ongoing && random.nextBoolean());
    if (!ongoing && random.nextBoolean()) {
      p.put("csat", 1 + random.nextInt(5));
    }
    think();
    send(new Event(engine.nextMessageId(), "contact-centre", Event.EventType.INTERACTION, null, user, null, channel,
        p, Map.of(), Instant.ofEpochMilli(engine.now()), Event.EventContext.EMPTY), "interaction " + p);
    check(engine.drain());
  }

  private void identify() {
    switchDeviceSometimes();
    identified.add(currentDevice);
    webEvent(Event.EventType.IDENTIFY, null, Map.of(), null, "identify " + currentDevice + " as " + user);
  }

  /** What the customer did with one of the engagements sent to them, as the engine's API records it. */
  private void outcome() {
    List<String> open = new ArrayList<>();
    lastOutcome.forEach((id, last) -> {
      if (last.isEmpty() || last.equals("shown")) {
        open.add(id);
      }
    });
    if (open.isEmpty()) {
      return;
    }
    String id = open.get(random.nextInt(open.size()));
    List<String> next = new ArrayList<>(List.of("accepted", "declined", "ignored"));
    if (lastOutcome.get(id).isEmpty()) {
      next.add("shown");
    }
    String outcome = next.get(random.nextInt(next.size()));
    think();
    SteppedEngine.await(engine.engine().recordOutcome(id, outcome, Instant.ofEpochMilli(engine.now())));
    lastOutcome.put(id, outcome);
    step("outcome " + outcome + " of " + id);
    settleAndCheck(); // the outcome is applied on the shard after it is durable
  }

  private void idle(long millis) {
    engine.advance(millis);
    step("idle " + millis / 1000.0 + " s");
    settleAndCheck();
  }

  // --- consent -------------------------------------------------------------------------------------

  private void consentByApi(String ref, Map<Purpose, Boolean> choices) {
    think();
    engine.engine().setConsent(ref, choices, "api");
    tally.apiChoices++;
    String customer = customerOf(ref);
    seeIds();
    oracle.choseForCustomer(customer, choices, engine.now(), "api");
    choiceTimes.add(engine.now());
    step("setConsent(" + ref + ") " + choices + " -> customer " + customer);
    check(engine.drain());
  }

  private Map<Purpose, Boolean> randomChoices() {
    Map<Purpose, Boolean> choices = new EnumMap<>(Purpose.class);
    for (Purpose p : Purpose.values()) {
      if (random.nextInt(5) < 2) {
        choices.put(p, random.nextBoolean());
      }
    }
    if (choices.isEmpty()) {
      choices.put(Purpose.values()[random.nextInt(Purpose.values().length)], random.nextBoolean());
    }
    return choices;
  }

  // --- events --------------------------------------------------------------------------------------

  private void page(String path) {
    Event.Page page = new Event.Page(path, null, null, null, null);
    webEvent(Event.EventType.PAGE, null, Map.of("path", path), page, "page " + path);
  }

  private void track(String name, Map<String, Object> properties) {
    webEvent(Event.EventType.TRACK, name, properties, null, "track " + name + " " + properties);
  }

  /** An event from the current device, carrying any pending consent or privacy signal. */
  private void webEvent(Event.EventType type, String name, Map<String, Object> properties, Event.Page page,
      String what) {
    think();
    boolean withUser = type == Event.EventType.IDENTIFY || identified.contains(currentDevice) && random.nextInt(4) > 0;
    Map<Purpose, Boolean> consent = pendingConsent;
    Map<Purpose, Boolean> signals = pendingSignal ? SIGNAL : Map.of();
    pendingConsent = Map.of();
    pendingSignal = false;
    boolean chooses = !consent.isEmpty() || !signals.isEmpty();
    long stamped = chooses ? choiceStamp() : engine.now();
    Event event = new Event(engine.nextMessageId(), "web", type, currentDevice, withUser ? user : null, null, name,
        properties, Map.of(), Instant.ofEpochMilli(stamped),
        new Event.EventContext(page, null, null, zone, null, consent, signals));
    oracle.deviceEvent(currentDevice, engine.now());
    send(event, what + (consent.isEmpty() ? "" : " consent " + consent) + (signals.isEmpty() ? "" : " privacy signal")
        + " (" + currentDevice + (withUser ? "+" + user : "") + ")"
        + (stamped == engine.now() ? "" : " stamped " + (stamped - engine.now()) + " ms"));
    if (chooses) {
      // the engine stamps a choice with when it was made, but never later than when it arrived
      long at = Math.min(stamped, engine.now());
      oracle.choseOnDevice(currentDevice, consent, at, "event");
      oracle.choseOnDevice(currentDevice, signals, at, "signal");
      choiceTimes.add(at);
      tally.eventChoices += consent.isEmpty() ? 0 : 1;
      tally.signals += signals.isEmpty() ? 0 : 1;
    }
    check(engine.drain());
  }

  /**
   * The timestamp of an event carrying a choice: mostly now, sometimes a little earlier or later by the
   * browser's clock; never the moment of an earlier choice, so "newest wins" needs no tie-break.
   */
  private long choiceStamp() {
    int roll = random.nextInt(6);
    long stamped = engine.now() + (roll == 0 ? -random.nextInt(20_000) : roll == 1 ? random.nextInt(20_000) : 0);
    while (choiceTimes.contains(Math.min(stamped, engine.now()))) {
      stamped--;
    }
    return stamped;
  }

  /**
   * Hands the event to the engine and waits until it is applied; notes the ids the engine linked or
   * merged, and checks what a merge decided before the event, when the event's own choices did not
   * count yet.
   */
  private void send(Event event, String what) {
    List<Decision> beforeEvent = List.of();
    if (event.anonymousId() != null && event.userId() != null) {
      beforeEvent = engine.applyMerging(event);
    } else {
      engine.apply(event);
    }
    tally.events++;
    step(what);
    seeIds();
    check(beforeEvent);
  }

  /** A few seconds pass before each step; decisions that became due are made (and checked) first. */
  private void think() {
    engine.advance(200 + random.nextInt(8_000));
    settleAndCheck();
  }

  /** Properties in the order given, so a case's trace reads the same on every run. */
  private static Map<String, Object> properties(Object... keysAndValues) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return p;
  }

  private void switchDeviceSometimes() {
    if (secondDevice != null && random.nextInt(3) == 0) {
      currentDevice = currentDevice.equals(device) ? secondDevice : device;
    }
  }

  /**
   * The user, or a device the engine already knows: an id the API names first becomes a customer known
   * by it as userId too, and a device with a userId of its own is never merged into the user's customer.
   */
  private String anyId() {
    int pick = random.nextInt(secondDevice == null ? 2 : 3);
    String id = pick == 0 ? device : pick == 1 ? user : secondDevice;
    return engine.engine().customerOf(id).isPresent() ? id : user;
  }

  private String customerOf(String id) {
    return engine.engine().customerOf(id).orElseThrow(() -> new AssertionError(label + ": engine does not know " + id));
  }

  /** Tells the oracle which customer each of this case's ids belongs to now. */
  private void seeIds() {
    for (String id : new String[] {device, secondDevice, user}) {
      if (id != null) {
        engine.engine().customerOf(id).ifPresent(c -> oracle.seen(id, c));
      }
    }
  }

  private void settleAndCheck() {
    engine.settle();
    check(engine.drain());
  }

  // --- the property --------------------------------------------------------------------------------

  /** Decisions the engine just made, against the consent the oracle holds now. */
  private void check(List<Decision> decided) {
    for (Decision d : decided) {
      tally.count(d);
      Engagement e = d.engagement();
      if (!oracle.knows(e.customerId())) {
        fail(failure(d, "a decision about a customer this case never made"));
      }
      Purpose needed = ConsentOracle.NEEDS.get(askedType(e));
      ConsentOracle.Verdict verdict = oracle.verdict(e.customerId(), needed);
      if (verdict == ConsentOracle.Verdict.EITHER) {
        tally.unjudged++;
        continue;
      }
      boolean granted = verdict == ConsentOracle.Verdict.GRANTED;
      if (d.sent()) {
        lastOutcome.putIfAbsent(e.id(), "");
        Purpose sentNeeds = ConsentOracle.NEEDS.get(e.type());
        if (!granted || oracle.verdict(e.customerId(), sentNeeds) == ConsentOracle.Verdict.DENIED) {
          fail(failure(d, "sent without consent to " + (granted ? sentNeeds : needed).id()));
        }
      }
      if (!granted && !d.reason().equals("consent:" + needed.id())) {
        fail(failure(d, needed.id() + " is not granted, so the reason must be consent:" + needed.id()));
      }
      if (granted && d.reason().startsWith("consent:")) {
        fail(failure(d, "suppressed for consent, but " + needed.id() + " is granted"));
      }
      // asks of one customer from one firing of the rules are decided together even with no window
      if (consentOnly && granted && !d.sent() && !d.reason().equals("arbitration")) {
        fail(failure(d, "with no contact policy only consent (and arbitration) suppresses, and " + needed.id()
            + " is granted"));
      }
    }
  }

  /** What the rule asked for: a chat or callback that was sent as its fallback tip says so in its context. */
  private static EngagementType askedType(Engagement e) {
    if (e.context().get("downgradedFrom") instanceof Map<?, ?> from) {
      for (EngagementType t : EngagementType.values()) {
        if (t.id().equals(from.get("type"))) {
          return t;
        }
      }
    }
    return e.type();
  }

  private void step(String what) {
    trace.add(String.format("%9.1f s  %s", (engine.now() - start) / 1000.0, what));
  }

  private String failure(Decision d, String why) {
    String customer = d.engagement().customerId();
    return label + ": " + why + "\n  decision: " + d.outcome().id() + " " + d.reason() + " "
        + d.engagement().type().id() + " of rule " + d.engagement().rule() + " for customer " + customer
        + " at " + d.decidedAt() + " (+" + (d.decidedAt().toEpochMilli() - start) / 1000.0 + " s)"
        + "\n  oracle's consent: " + oracle.describe(customer)
        + "\n  engine's stored consent: "
        + engine.engine().consent(customer.startsWith("x:a:") ? customer.substring(4) : customer)
        + "\n  steps:\n    " + String.join("\n    ", trace);
  }
}
