package io.nudge.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.InvalidInputException;
import io.nudge.engine.Purpose;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.journey.Asked;
import io.nudge.engine.journey.CustomerView;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class PolicyGateTest {
  /** A Monday. */
  private static final Instant NOON = Instant.parse("2026-11-23T12:00:00Z");
  private static final ContactPolicy NONE = ContactPolicy.none();

  private final MemoryConsentStore consent = new MemoryConsentStore();
  private final QueueCapacity capacity = new QueueCapacity();
  private final List<ContactHistory.Contact> sent = new ArrayList<>();
  private final List<Interaction> interactions = new ArrayList<>();
  private String timezone = "";
  private int ids;

  PolicyGateTest() {
    for (Purpose p : Purpose.values()) {
      consent.record("ann", new ConsentRecord(p, true, "api", NOON.minus(Duration.ofDays(30))));
    }
  }

  // --- consent comes first ----------------------------------------------------------------------

  @Test
  void consent_deniedChat_suppressedForConsentEvenWhenACapWouldAlsoStopIt() {
    consent.record("ann", new ConsentRecord(Purpose.PROACTIVE_CHAT, false, "api", NOON.minusSeconds(60)));
    ContactPolicy policy = policy(List.of(new Cap("none", null, 0, Duration.ofDays(1))), List.of());

    assertThat(decide(policy, chat("r", "sales"), NOON).reason()).isEqualTo("consent:proactive_chat");
  }

  // --- caps -------------------------------------------------------------------------------------

  @Test
  void cap_overallPerDay_fourthEngagementInADay_suppressedWithTheCapsName_andSentOnceADayHasPassed() {
    ContactPolicy policy = policy(List.of(new Cap("per-day", null, 3, Duration.ofDays(1))), List.of());
    sentBefore(tip("a"), NOON.minus(Duration.ofHours(23)));
    sentBefore(chat("b", "sales"), NOON.minus(Duration.ofHours(5)));
    sentBefore(tip("c"), NOON.minus(Duration.ofHours(1)));

    assertThat(decide(policy, tip("d"), NOON).reason()).isEqualTo("cap:per-day");
    assertThat(decide(policy, tip("d"), NOON.plus(Duration.ofHours(1).plusSeconds(1))).reason()).isEqualTo("sent");
  }

  @Test
  void cap_perType_thirdChatInADay_suppressed_whileATipStillGoes() {
    ContactPolicy policy = policy(
        List.of(new Cap("chat-per-day", EngagementType.PROACTIVE_CHAT, 2, Duration.ofDays(1))), List.of());
    sentBefore(chat("a", "sales"), NOON.minus(Duration.ofHours(3)));
    sentBefore(chat("b", "sales"), NOON.minus(Duration.ofHours(2)));
    sentBefore(tip("c"), NOON.minus(Duration.ofHours(1)));

    assertThat(decide(policy, chat("d", "sales"), NOON).reason()).isEqualTo("cap:chat-per-day");
    assertThat(decide(policy, tip("e"), NOON).reason()).isEqualTo("sent");
  }

  @Test
  void cap_perWeek_countsSendsOfEarlierDays() {
    ContactPolicy policy = policy(List.of(new Cap("per-day", null, 3, Duration.ofDays(1)),
        new Cap("per-week", null, 4, Duration.ofDays(7))), List.of());
    for (int day = 1; day <= 4; day++) {
      sentBefore(tip("old" + day), NOON.minus(Duration.ofDays(day)));
    }

    assertThat(decide(policy, tip("new"), NOON).reason()).isEqualTo("cap:per-week");
    assertThat(decide(policy, tip("new"), NOON.plus(Duration.ofDays(3))).reason()).isEqualTo("sent");
  }

  @Test
  void cap_maxZero_sendsNothingOfThatType() {
    ContactPolicy policy = policy(List.of(new Cap("no-callbacks", EngagementType.CALLBACK, 0, Duration.ofDays(1))),
        List.of());

    assertThat(decide(policy, callback("r", "support"), NOON).reason()).isEqualTo("cap:no-callbacks");
  }

  // --- cool-downs ---------------------------------------------------------------------------------

  @Test
  void cooldown_afterADeclinedChat_noChatFor24Hours_butATipGoes_andAChatAgainAfterwards() {
    ContactPolicy policy = policy(List.of(), List.of(new Cooldown("declined", null, Duration.ofHours(24))));
    Instant declined = NOON.minus(Duration.ofHours(2));
    sentBefore(chat("a", "sales"), declined.minusSeconds(30), new OutcomeRecord("shown", declined.minusSeconds(29)),
        new OutcomeRecord("declined", declined));

    assertThat(decide(policy, chat("b", "sales"), NOON).reason()).isEqualTo("cooldown");
    assertThat(decide(policy, tip("c"), NOON).reason()).isEqualTo("sent");
    assertThat(decide(policy, chat("b", "sales"), declined.plus(Duration.ofHours(24))).reason()).isEqualTo("sent");
  }

  @Test
  void cooldown_ofOneType_pausesOnlyThatType_evenAfterAnotherTypeWasDeclined() {
    ContactPolicy policy = policy(List.of(),
        List.of(new Cooldown("ignored", EngagementType.PROACTIVE_CHAT, Duration.ofHours(4))));
    sentBefore(tip("a"), NOON.minus(Duration.ofHours(1)), new OutcomeRecord("ignored", NOON.minusSeconds(600)));
    sentBefore(chat("b", "sales"), NOON.minus(Duration.ofHours(3)),
        new OutcomeRecord("ignored", NOON.minus(Duration.ofHours(3))));

    assertThat(decide(policy, tip("c"), NOON).reason()).isEqualTo("sent");
    assertThat(decide(policy, chat("d", "sales"), NOON).reason()).isEqualTo("cooldown");
  }

  // --- never while talking to an agent or waiting for a call ------------------------------------

  @Test
  void activeChat_anAcceptedChat_suppressesEveryTypeUntilAChatInteractionEnds() {
    ContactPolicy policy = ContactPolicy.defaults();
    Instant accepted = NOON.minus(Duration.ofMinutes(5));
    sentBefore(chat("a", "sales"), accepted.minusSeconds(10), new OutcomeRecord("accepted", accepted));

    assertThat(decide(policy, tip("b"), NOON).reason()).isEqualTo("active-chat");
    assertThat(decide(policy, callback("c", "support"), NOON).reason()).isEqualTo("active-chat");

    interactions.add(interaction("chat", accepted.plusSeconds(5), NOON.minusSeconds(30)));
    assertThat(decide(policy, tip("b"), NOON).reason()).isEqualTo("sent");
  }

  @Test
  void activeChat_anOngoingChatInteraction_suppresses_untilTheActiveChatTimeHasPassed() {
    interactions.add(interaction("chat", NOON.minus(Duration.ofMinutes(10)), null));

    assertThat(decide(ContactPolicy.defaults(), chat("a", "sales"), NOON).reason()).isEqualTo("active-chat");
    assertThat(decide(ContactPolicy.defaults(), chat("a", "sales"), NOON.plus(Duration.ofMinutes(20))).reason())
        .isEqualTo("sent");
  }

  @Test
  void pendingCallback_anAcceptedCallback_suppressesUntilTheCallComes() {
    Instant accepted = NOON.minus(Duration.ofHours(3));
    sentBefore(callback("a", "support"), accepted.minusSeconds(10), new OutcomeRecord("accepted", accepted));

    assertThat(decide(ContactPolicy.defaults(), chat("b", "sales"), NOON).reason()).isEqualTo("pending-callback");

    interactions.add(interaction("phone", NOON.minus(Duration.ofHours(1)), NOON.minus(Duration.ofMinutes(50))));
    assertThat(decide(ContactPolicy.defaults(), chat("b", "sales"), NOON).reason()).isEqualTo("sent");
  }

  // --- quiet hours --------------------------------------------------------------------------------

  @Test
  void quietHours_callbackAt22InTheCustomersZone_suppressed_butAChatGoes() {
    ContactPolicy policy = ContactPolicy.defaults();
    timezone = "America/New_York"; // 12:00 UTC is 07:00 there
    Instant tenPmInNewYork = Instant.parse("2026-11-24T03:00:00Z");

    assertThat(decide(policy, callback("a", "support"), NOON).reason()).isEqualTo("quiet-hours");
    assertThat(decide(policy, callback("a", "support"), tenPmInNewYork).reason()).isEqualTo("quiet-hours");
    assertThat(decide(policy, callback("a", "support"), NOON.plus(Duration.ofHours(2))).reason()).isEqualTo("sent");
    assertThat(decide(policy, chat("b", "sales"), tenPmInNewYork).reason()).isEqualTo("sent");
  }

  @Test
  void quietHours_customerWithNoOrAnUnknownZone_usesTheDefaultZone() {
    ContactPolicy policy = ContactPolicy.defaults(); // 21:00-08:00 UTC by default
    Instant lateUtc = Instant.parse("2026-11-23T22:30:00Z");

    assertThat(decide(policy, callback("a", "support"), lateUtc).reason()).isEqualTo("quiet-hours");
    timezone = "Mars/Olympus_Mons";
    assertThat(decide(policy, callback("a", "support"), lateUtc).reason()).isEqualTo("quiet-hours");
    assertThat(decide(policy, callback("a", "support"), NOON).reason()).isEqualTo("sent");
  }

  // --- business hours per queue -------------------------------------------------------------------

  @Test
  void businessHours_outsideTheQueuesWeeklyHours_chatAndCallbackSuppressedAsClosed_tipsUnaffected() {
    ContactPolicy policy = withQueue("sales", officeHours(Set.of(), null));
    Instant monday8pmParis = Instant.parse("2026-11-23T19:00:00Z");
    Instant saturdayNoon = Instant.parse("2026-11-28T11:00:00Z");

    assertThat(decide(policy, chat("a", "sales"), NOON).reason()).isEqualTo("sent");
    assertThat(decide(policy, chat("a", "sales"), monday8pmParis).reason()).isEqualTo("closed");
    assertThat(decide(policy, callback("a", "sales"), saturdayNoon).reason()).isEqualTo("closed");
    assertThat(decide(policy, chat("a", "other-queue"), saturdayNoon).reason()).isEqualTo("sent");
    assertThat(decide(policy, tip("b"), saturdayNoon).reason()).isEqualTo("sent");
  }

  @Test
  void businessHours_onAHoliday_closedAllDay() {
    ContactPolicy policy = withQueue("sales", officeHours(Set.of(LocalDate.of(2026, 11, 23)), null));

    assertThat(decide(policy, chat("a", "sales"), NOON).reason()).isEqualTo("closed");
    assertThat(decide(policy, chat("a", "sales"), NOON.plus(Duration.ofDays(1))).reason()).isEqualTo("sent");
  }

  @Test
  void businessHours_ruleGaveATip_closedChatIsDowngradedToThatTip() {
    ContactPolicy policy = withQueue("sales", officeHours(Set.of(LocalDate.of(2026, 11, 23)), null));
    Engagement chat = chat("a", "sales");

    Decision d = gate(policy).decide(List.of(new Asked(chat, 0, Map.of("title", "We are closed", "body", "Back at 9"))),
        view(), NOON).get(0);

    assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT);
    assertThat(d.reason()).isEqualTo("downgraded:closed");
    assertThat(d.engagement().id()).isEqualTo(chat.id());
    assertThat(d.engagement().type()).isEqualTo(EngagementType.TIP);
    assertThat(d.engagement().fields()).isEqualTo(Map.of("title", "We are closed", "body", "Back at 9"));
    assertThat(d.engagement().context()).containsEntry("downgradedFrom",
        Map.of("type", "proactive_chat", "queue", "sales"));
  }

  @Test
  void businessHours_downgradedTipWithoutPersonalizationConsent_chatSuppressedAsClosed() {
    consent.record("ann", new ConsentRecord(Purpose.PERSONALIZATION, false, "api", NOON.minusSeconds(5)));
    ContactPolicy policy = withQueue("sales", officeHours(Set.of(LocalDate.of(2026, 11, 23)), null));

    Decision d = gate(policy).decide(List.of(new Asked(chat("a", "sales"), 0, Map.of("title", "t", "body", "b"))),
        view(), NOON).get(0);

    assertThat(d.reason()).isEqualTo("closed");
    assertThat(d.engagement().type()).isEqualTo(EngagementType.PROACTIVE_CHAT);
  }

  // --- agent capacity -------------------------------------------------------------------------------

  @Test
  void capacity_noAgentFree_chatSuppressedNoCapacity_callbackStillGoes() {
    capacity.report(new QueueCapacity.Report("sales", 0, Duration.ZERO, NOON.minusSeconds(10)));

    assertThat(decide(NONE, chat("a", "sales"), NOON).reason()).isEqualTo("no-capacity");
    assertThat(decide(NONE, callback("b", "sales"), NOON).reason()).isEqualTo("sent");
    assertThat(decide(NONE, chat("a", "support"), NOON).reason()).isEqualTo("sent");
  }

  @Test
  void capacity_expectedWaitOverTheQueuesLimit_noCapacity_atTheLimitSent() {
    ContactPolicy policy = withQueue("sales", officeHours(Set.of(), Duration.ofMinutes(2)));
    capacity.report(new QueueCapacity.Report("sales", 3, Duration.ofSeconds(121), NOON.minusSeconds(10)));
    assertThat(decide(policy, chat("a", "sales"), NOON).reason()).isEqualTo("no-capacity");

    capacity.report(new QueueCapacity.Report("sales", 3, Duration.ofSeconds(120), NOON.minusSeconds(5)));
    assertThat(decide(policy, chat("a", "sales"), NOON).reason()).isEqualTo("sent");
  }

  @Test
  void capacity_aReportOlderThanTenMinutes_isNotTrusted() {
    capacity.report(new QueueCapacity.Report("sales", 0, Duration.ZERO, NOON.minus(Duration.ofMinutes(11))));

    assertThat(decide(NONE, chat("a", "sales"), NOON).reason()).isEqualTo("sent");
  }

  @Test
  void capacity_noAgentFreeAndRuleGaveATip_downgraded() {
    capacity.report(new QueueCapacity.Report("sales", 0, Duration.ZERO, NOON));

    Decision d = gate(NONE).decide(List.of(new Asked(chat("a", "sales"), 0, Map.of("title", "t", "body", "b"))),
        view(), NOON).get(0);

    assertThat(d.reason()).isEqualTo("downgraded:no-capacity");
  }

  @Test
  void capacity_negativeAgents_rejectedWithTheValue() {
    assertThatThrownBy(() -> new QueueCapacity.Report("sales", -1, Duration.ZERO, NOON))
        .isInstanceOf(InvalidInputException.class).hasMessage("availableAgents is -1, must not be negative");
  }

  // --- arbitration and holdout ------------------------------------------------------------------------

  @Test
  void arbitration_severalAsksTogether_onlyTheHighestPrioritySent_othersRecordedAsArbitration() {
    List<Decision> d = gate(NONE).decide(List.of(
        new Asked(tip("low"), 1, Map.of()), new Asked(chat("high", "sales"), 10, Map.of()),
        new Asked(callback("mid", "support"), 5, Map.of())), view(), NOON);

    assertThat(d).extracting(Decision::reason).containsExactly("arbitration", "sent", "arbitration");
    assertThat(d.get(0).engagement().context()).containsEntry("arbitration", Map.of("won", "high", "priority", 1));
  }

  @Test
  void arbitration_equalPriorities_theFirstAskedWins() {
    List<Decision> d = gate(NONE).decide(List.of(new Asked(tip("first"), 0, Map.of()),
        new Asked(tip("second"), 0, Map.of())), view(), NOON);

    assertThat(d).extracting(Decision::reason).containsExactly("sent", "arbitration");
  }

  @Test
  void arbitration_theHighestPriorityLacksConsent_theNextOneWins() {
    consent.record("ann", new ConsentRecord(Purpose.PROACTIVE_CHAT, false, "api", NOON.minusSeconds(5)));

    List<Decision> d = gate(NONE).decide(List.of(new Asked(chat("high", "sales"), 10, Map.of()),
        new Asked(tip("low"), 1, Map.of())), view(), NOON);

    assertThat(d).extracting(Decision::reason).containsExactly("consent:proactive_chat", "sent");
  }

  @Test
  void holdout_aPercentageOfCustomers_chosenTheSameWayEveryTime_recordedAsHoldout() {
    ContactPolicy policy = new ContactPolicy(List.of(), List.of(), null, Map.of(), Map.of("r", 20), Duration.ZERO,
        Duration.ZERO, Duration.ZERO);
    PolicyGate gate = gate(policy);
    int held = 0;
    for (int i = 0; i < 2000; i++) {
      String customer = "c" + i;
      for (Purpose p : Purpose.values()) {
        consent.record(customer, new ConsentRecord(p, true, "api", NOON));
      }
      Engagement e = engagement(EngagementType.TIP, "r", customer, Map.of("title", "t", "body", "b"));
      String first = gate.decide(List.of(Asked.of(e)), view(), NOON).get(0).reason();
      assertThat(gate.decide(List.of(Asked.of(e)), view(), NOON).get(0).reason()).isEqualTo(first);
      assertThat(first).isIn("sent", "holdout");
      held += first.equals("holdout") ? 1 : 0;
    }
    assertThat(held).isBetween(340, 460); // 20% of 2000, within about 3 standard deviations
    Engagement other = engagement(EngagementType.TIP, "other-rule", "ann", Map.of("title", "t", "body", "b"));
    assertThat(gate.inHoldout(other)).isFalse();
  }

  @Test
  void holdout_bucketIsStableAcrossRuns() {
    assertThat(PolicyGate.bucket("u:ann", "checkout-hesitation")).isEqualTo(PolicyGate.bucket("u:ann",
        "checkout-hesitation"));
    assertThat(PolicyGate.bucket("u:ann", "checkout-hesitation")).isBetween(0, 99);
  }

  // --- the policy itself ------------------------------------------------------------------------------

  @Test
  void policy_holdoutOver100_rejectedNamingTheRule() {
    assertThatThrownBy(() -> new ContactPolicy(List.of(), List.of(), null, Map.of(), Map.of("r", 101), Duration.ZERO,
        Duration.ZERO, Duration.ZERO)).hasMessage("holdout of rule \"r\" is 101%, must be 0 to 100");
  }

  @Test
  void policy_twoCapsWithOneName_rejected() {
    assertThatThrownBy(() -> policy(List.of(new Cap("x", null, 1, Duration.ofDays(1)),
        new Cap("x", null, 2, Duration.ofDays(7))), List.of())).hasMessage("cap name \"x\" is used twice");
  }

  // --- helpers ----------------------------------------------------------------------------------------

  private PolicyGate gate(ContactPolicy policy) {
    return new PolicyGate(new ConsentGate(consent, ConsentDefault.OPT_IN), policy, capacity,
        (customer, since) -> sent.stream().filter(c -> !c.sentAt().isBefore(since)).toList());
  }

  private Decision decide(ContactPolicy policy, Engagement e, Instant at) {
    return gate(policy).decide(List.of(Asked.of(e)), view(), at).get(0);
  }

  private CustomerView view() {
    Journey journey = new Journey("ann");
    if (!timezone.isEmpty()) {
      var event = new io.nudge.engine.Event("m", "test", io.nudge.engine.Event.EventType.PAGE, "ann", null, null,
          null, Map.of(), Map.of(), NOON,
          new io.nudge.engine.Event.EventContext(null, null, null, timezone, null, Map.of()));
      io.nudge.engine.facts.JourneyRecorder.record(journey, event,
          new io.nudge.engine.facts.CustomerEvent("ann", 1, "page", null, "/", Map.of(), 0), 0);
    }
    return new CustomerView(journey, interactions);
  }

  private static ContactPolicy policy(List<Cap> caps, List<Cooldown> cooldowns) {
    return new ContactPolicy(caps, cooldowns, null, Map.of(), Map.of(), Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  private static ContactPolicy withQueue(String queue, QueueRules rules) {
    return new ContactPolicy(List.of(), List.of(), null, Map.of(queue, rules), Map.of(), Duration.ZERO,
        Duration.ZERO, Duration.ZERO);
  }

  /** Monday to Friday 09:00-18:00 Paris time. */
  private static QueueRules officeHours(Set<LocalDate> holidays, Duration maxWait) {
    List<QueueRules.Opening> day = List.of(new QueueRules.Opening(LocalTime.of(9, 0), LocalTime.of(18, 0)));
    Map<DayOfWeek, List<QueueRules.Opening>> week = Map.of(DayOfWeek.MONDAY, day, DayOfWeek.TUESDAY, day,
        DayOfWeek.WEDNESDAY, day, DayOfWeek.THURSDAY, day, DayOfWeek.FRIDAY, day);
    return new QueueRules(ZoneId.of("Europe/Paris"), week, holidays, maxWait);
  }

  private void sentBefore(Engagement e, Instant at, OutcomeRecord... outcomes) {
    sent.add(new ContactHistory.Contact(e, at, List.of(outcomes)));
  }

  private Engagement chat(String rule, String queue) {
    return engagement(EngagementType.PROACTIVE_CHAT, rule, "ann", Map.of("queue", queue, "message", "Hi"));
  }

  private Engagement callback(String rule, String queue) {
    return engagement(EngagementType.CALLBACK, rule, "ann", Map.of("queue", queue, "message", "Call?"));
  }

  private Engagement tip(String rule) {
    return engagement(EngagementType.TIP, rule, "ann", Map.of("title", "t", "body", "b"));
  }

  private Engagement engagement(EngagementType type, String rule, String customer, Map<String, String> fields) {
    return new Engagement("eng-" + (++ids), type, rule, NOON, customer, customer, null, fields, Map.of());
  }

  private static Interaction interaction(String channel, Instant started, Instant ended) {
    return new Interaction("ann", channel, "inbound", started.toEpochMilli(), ended == null ? 0 : ended.toEpochMilli(),
        "sales", "", "", "", true, 0, 0);
  }
}
