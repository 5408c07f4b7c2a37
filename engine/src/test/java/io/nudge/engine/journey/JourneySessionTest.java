package io.nudge.engine.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

final class JourneySessionTest {
  private long sequence;
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "ask-twice"
        @reason("You asked for help") @dataUsed("what you clicked")
      when
        CustomerEvent( name == "Help" )
      then
        nudge.chat("support", "Can we help?");
        nudge.chat("support", "Can we help? (asked again)");
      end

      rule "form-tip" @reason("This form showed an error") @dataUsed("the errors this form showed")
      when
        CustomerEvent( name == "Form Error", $form : property("form") != null )
      then
        nudge.once($form).tip("Trouble with this form?", "Check the highlighted fields.");
      end

      rule "boom" salience 10
      when
        CustomerEvent( name == "Boom" )
      then
        if (true) { throw new IllegalStateException("rule bug"); }
      end

      rule "boom-witness" @reason("test reason") @dataUsed("test data")
      when
        CustomerEvent( name == "Boom", property("witnessed") != null )
      then
        nudge.callback("support", "We saw that");
      end

      rule "cross-customer" @reason("test reason") @dataUsed("test data")
      when
        Journey( customerId == "ann", currentPath == "/together" )
        Journey( customerId == "bob", currentPath == "/together" )
      then
        nudge.chat("support", "Hello both");
      end
      """;
  private static final RulePack PACK = RulePack.compile(Map.of("session-test.drl", RULES));

  private final List<Decision> decisions = new ArrayList<>();
  private final List<String> fired = new ArrayList<>();
  private final JourneySession session = new JourneySession(PACK, START, TIMEOUT,
      Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), decisions::add);
  private long clock = START;
  private int messages;

  JourneySessionTest() {
    // before, not after: a consequence that throws still counts as fired
    session.addAgendaListener(new DefaultAgendaEventListener() {
      @Override
      public void beforeMatchFired(BeforeMatchFiredEvent event) {
        fired.add(event.getMatch().getRule().getName());
      }
    });
  }

  @AfterEach
  void close() {
    session.close();
  }

  // --- once per visit, once per key ----------------------------------------------------------

  @Test
  void ruleAskingTwice_sendsOneEngagementPerVisit() {
    track("ann", "Help");
    elapse(60_000);
    track("ann", "Help");

    assertThat(fired).containsExactly("ask-twice", "ask-twice");
    assertThat(decisions).singleElement().satisfies(d -> {
      assertThat(d.engagement().rule()).isEqualTo("ask-twice");
      assertThat(d.engagement().type()).isEqualTo(EngagementType.PROACTIVE_CHAT);
      assertThat(d.engagement().fields()).isEqualTo(Map.of("queue", "support", "message", "Can we help?"));
      assertThat(d.engagement().createdAt()).isEqualTo(Instant.ofEpochMilli(START));
    });
  }

  @Test
  void ruleAskingTwice_asksAgainInTheNextVisit() {
    track("ann", "Help");
    elapse(TIMEOUT.toMillis() + 1);
    track("ann", "Help");

    assertThat(decisions).extracting(d -> d.engagement().createdAt()).containsExactly(
        Instant.ofEpochMilli(START), Instant.ofEpochMilli(START + TIMEOUT.toMillis() + 1));
  }

  @Test
  void ruleAskingTwice_eachCustomerGetsTheirOwn() {
    track("ann", "Help");
    track("bob", "Help");
    track("ann", "Help");

    assertThat(decisions).extracting(d -> d.engagement().customerId()).containsExactly("ann", "bob");
  }

  @Test
  void once_allowsOneEngagementPerKey() {
    track("ann", "Form Error", Map.of("form", "signup"));
    elapse(1_000);
    track("ann", "Form Error", Map.of("form", "signup"));
    elapse(1_000);
    track("ann", "Form Error", Map.of("form", "address"));

    assertThat(fired).containsExactly("form-tip", "form-tip", "form-tip");
    assertThat(decisions).extracting(d -> d.engagement().createdAt())
        .containsExactly(Instant.ofEpochMilli(START), Instant.ofEpochMilli(START + 2_000));
    assertThat(decisions.get(0).engagement().fields())
        .isEqualTo(Map.of("title", "Trouble with this form?", "body", "Check the highlighted fields."));
  }

  @Test
  void once_sameKeyInTheNextVisit_asksAgain() {
    track("ann", "Form Error", Map.of("form", "signup"));
    elapse(TIMEOUT.toMillis() + 1);
    track("ann", "Form Error", Map.of("form", "signup"));

    assertThat(decisions).hasSize(2);
  }

  // --- rules that go wrong -------------------------------------------------------------------

  @Test
  void ruleThrowing_isLoggedAndTheSessionKeepsWorking() {
    try (CapturedStderr log = new CapturedStderr()) {
      assertThatCode(() -> track("ann", "Boom")).doesNotThrowAnyException();

      assertThat(log.lines()).singleElement(STRING).endsWith(
          "WARN io.nudge.engine.journey.JourneySession - rule \"boom\" failed and was stopped for this event: "
              + "Exception executing consequence for rule \"boom\" in nudge.test: "
              + "java.lang.IllegalStateException: rule bug");
    }
    assertThat(decisions).isEmpty();

    elapse(1_000);
    track("ann", "Help");
    track("bob", "Help");

    assertThat(decisions).extracting(d -> d.engagement().customerId()).containsExactly("ann", "bob");
    assertThat(decisions).extracting(d -> d.engagement().createdAt()).containsOnly(Instant.ofEpochMilli(START + 1_000));
  }

  @Test
  void ruleThrowing_otherRulesMatchingTheSameEventStillFireAtOnce() {
    try (CapturedStderr log = new CapturedStderr()) {
      track("ann", "Boom", Map.of("witnessed", true));

      assertThat(log.lines()).hasSize(1);
    }

    assertThat(fired).contains("boom-witness");
    assertThat(decisions).singleElement().satisfies(d -> {
      assertThat(d.engagement().rule()).isEqualTo("boom-witness");
      assertThat(d.engagement().createdAt()).isEqualTo(Instant.ofEpochMilli(START));
    });
  }

  @Test
  void ruleMatchingTwoCustomers_isRefusedWithAMessageSayingToJoinOnCustomerId() {
    page("ann", "/together");

    try (CapturedStderr log = new CapturedStderr()) {
      page("bob", "/together");

      assertThat(log.lines()).singleElement(STRING).endsWith(
          "WARN io.nudge.engine.journey.JourneySession - rule \"cross-customer\" failed and was stopped for this "
              + "event: Exception executing consequence for rule \"cross-customer\" in nudge.test: "
              + "io.nudge.engine.NudgeException: rule \"cross-customer\" matched facts of two customers; "
              + "join every pattern on customerId");
    }
    assertThat(fired).containsExactly("cross-customer");
    assertThat(decisions).isEmpty();

    page("ann", "/elsewhere");
    track("ann", "Help");

    assertThat(decisions).extracting(d -> d.engagement().rule()).containsExactly("ask-twice");
  }

  // --- the engagement ------------------------------------------------------------------------

  @Test
  void engagementContext_summarisesTheJourneyForTheAgent() {
    for (String path : List.of("/", "/a", "/b", "/c", "/d", "/cart")) {
      page("ann", path);
    }
    for (String query : List.of("lamp", "desk lamp", "led", "bulb")) {
      track("ann", "Products Searched", Map.of("query", query));
    }
    track("ann", "Product Added",
        Map.of("product_id", "lamp", "name", "Desk lamp", "price", 19.999, "quantity", 2, "currency", "eur"));
    track("ann", "Product Added", Map.of("product_id", "p2", "price", 5));

    track("ann", "Help");

    Engagement e = decisions.get(0).engagement();
    assertThat(e.context()).containsEntry("matched", List.of("event track Help on /cart at 2026-11-23T10:00:00Z"));
    assertThat(withoutMatched(e.context())).isEqualTo(Map.of(
        "reason", "You asked for help",
        "dataUsed", "what you clicked",
        "intent", "shopping, with items in the cart",
        "currentPage", "/cart",
        "pages", List.of("/a", "/b", "/c", "/d", "/cart"),
        "cart", Map.of("value", 45.0, "currency", "EUR", "quantity", 3, "products", List.of("Desk lamp", "p2")),
        "searches", List.of("desk lamp", "led", "bulb"),
        "visit", 1,
        "returning", false));
    assertThat(e.customerId()).isEqualTo("ann");
    assertThat(e.anonymousId()).isEqualTo("ann");
    assertThat(e.userId()).isNull();
  }

  @Test
  void engagementContext_returningCustomerAtCheckout_addsStepAndFormErrors() {
    page("ann", "/");
    elapse(TIMEOUT.toMillis() + 1);
    page("ann", "/checkout/address");
    track("ann", "Checkout Step Viewed", Map.of("step", 2));

    track("ann", "Form Error", Map.of("form", "address"));

    Map<String, Object> context = decisions.get(0).engagement().context();
    assertThat(context).containsEntry("matched",
        List.of("event track Form Error on /checkout/address at 2026-11-23T10:30:00.001Z"));
    assertThat(withoutMatched(context)).isEqualTo(Map.ofEntries(
        Map.entry("reason", "This form showed an error"),
        Map.entry("dataUsed", "the errors this form showed"),
        Map.entry("intent", "checking out"),
        Map.entry("currentPage", "/checkout/address"),
        Map.entry("pages", List.of("/checkout/address")),
        Map.entry("cart", Map.of("value", 0.0, "currency", "", "quantity", 0, "products", List.of())),
        Map.entry("searches", List.of()),
        Map.entry("visit", 2),
        Map.entry("returning", true),
        Map.entry("checkoutStep", 2),
        Map.entry("formErrors", 1)));
  }

  private static Map<String, Object> withoutMatched(Map<String, Object> context) {
    Map<String, Object> rest = new java.util.HashMap<>(context);
    rest.remove("matched");
    return rest;
  }

  @Test
  void removedCustomer_takesTheirRawEventsAlong_recentOnesAndAfterTheyExpired() {
    track("bob", "Look");
    long bobAlone = session.factCount();
    track("ann", "Look");
    track("ann", "Look");

    session.remove("ann");

    assertThat(session.factCount()).isEqualTo(bobAlone); // her journey and both her events
    track("ann", "Look");
    elapse(io.nudge.engine.facts.CustomerEvent.LIFETIME.plusMinutes(2).toMillis()); // every event expires
    long expired = session.factCount();

    session.remove("ann");

    assertThat(session.factCount()).isEqualTo(expired - 1); // her journey was all that was left
  }

  @Test
  void rawEventLifetime_isWhatTheirExpiresSays() {
    org.kie.api.definition.type.Expires expires =
        io.nudge.engine.facts.CustomerEvent.class.getAnnotation(org.kie.api.definition.type.Expires.class);

    assertThat(Duration.parse("PT" + expires.value().toUpperCase()))
        .isEqualTo(io.nudge.engine.facts.CustomerEvent.LIFETIME);
  }

  @Test
  void engagementIds_startWithEngAndSortByVisitStart() {
    track("cara", "Help");
    elapse(1);
    track("ann", "Help");
    elapse(5_000);
    track("bob", "Help");

    List<String> ids = decisions.stream().map(d -> d.engagement().id()).toList();
    assertThat(ids).allSatisfy(id -> assertThat(id).matches("eng_[0-9a-f]{28}"));
    assertThat(ids.get(0)).startsWith("eng_" + String.format("%012x", START));
    assertThat(ids.get(2)).startsWith("eng_" + String.format("%012x", START + 5_001));
    assertThat(ids).isSortedAccordingTo(Comparator.naturalOrder()).doesNotHaveDuplicates();
  }

  @Test
  void gate_decidesEveryAskAtTheSessionTime() {
    List<Instant> gateTimes = new ArrayList<>();
    List<Decision> out = new ArrayList<>();
    try (JourneySession suppressing = new JourneySession(PACK, START, TIMEOUT, Gate.each((e, now) -> {
      gateTimes.add(now);
      return new Decision(e, Decision.Outcome.SUPPRESSED, "consent:proactive_chat", now);
    }), out::add)) {
      suppressing.apply("ann", trackEvent("ann", "Help", Map.of()), START + 3_000, ++sequence);
      suppressing.apply("ann", trackEvent("ann", "Help", Map.of()), START + 4_000, ++sequence);
    }

    assertThat(gateTimes).containsExactly(Instant.ofEpochMilli(START + 3_000));
    assertThat(out).singleElement().satisfies(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
      assertThat(d.reason()).isEqualTo("consent:proactive_chat");
      assertThat(d.decidedAt()).isEqualTo(Instant.ofEpochMilli(START + 3_000));
    });
  }

  // --- the clock and the journey -------------------------------------------------------------

  @Test
  void advanceTo_earlierTime_neverMovesTheClockBack() {
    session.advanceTo(START + 10_000);
    session.advanceTo(START + 5_000);

    assertThat(session.now()).isEqualTo(START + 10_000);

    session.apply("ann", trackEvent("ann", "Help", Map.of()), START + 7_000, ++sequence);

    assertThat(session.now()).isEqualTo(START + 10_000);
    // the journey keeps the event's receipt time, so a replay after a restart records the same times
    assertThat(session.journey("ann")).get().extracting(Journey::getLastEventAt).isEqualTo(START + 7_000);
    assertThat(decisions).singleElement()
        .satisfies(d -> assertThat(d.engagement().createdAt()).isEqualTo(Instant.ofEpochMilli(START + 10_000)));
  }

  @Test
  void newSession_clockStartsAtTheGivenTime() {
    assertThat(session.now()).isEqualTo(START);

    track("ann", "Help");

    assertThat(decisions.get(0).decidedAt()).isEqualTo(Instant.ofEpochMilli(START));
  }

  @Test
  void journey_isACopyOfTheCustomersJourney() {
    page("ann", "/a");
    Journey copy = session.journey("ann").orElseThrow();

    page("ann", "/b");

    assertThat(copy.getRecentPaths()).containsExactly("/a");
    assertThat(session.journey("ann")).get().extracting(Journey::getRecentPaths).isEqualTo(List.of("/a", "/b"));
    assertThat(session.journey("nobody")).isEmpty();
    assertThat(session.customerCount()).isEqualTo(1);
  }

  // --- helpers -------------------------------------------------------------------------------

  private void elapse(long millis) {
    clock += millis;
    session.advanceTo(clock);
  }

  private void track(String customer, String name) {
    track(customer, name, Map.of());
  }

  private void track(String customer, String name, Map<String, Object> properties) {
    session.apply(customer, trackEvent(customer, name, properties), clock, ++sequence);
  }

  private void page(String customer, String path) {
    Event event = new Event("m" + (++messages), "test", Event.EventType.PAGE, customer, null, null, null,
        Map.of("path", path), Map.of(), Instant.ofEpochMilli(clock),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, Map.of()));
    session.apply(customer, event, clock, ++sequence);
  }

  private Event trackEvent(String customer, String name, Map<String, Object> properties) {
    return new Event("m" + (++messages), "test", Event.EventType.TRACK, customer, null, null, name, properties,
        Map.of(), Instant.ofEpochMilli(clock), null);
  }

  /** What slf4j-simple writes to standard error while open; it looks up System.err on every write. */
  private static final class CapturedStderr implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    CapturedStderr() {
      System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }

    List<String> lines() {
      return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Override
    public void close() {
      System.setErr(original);
    }
  }
}
