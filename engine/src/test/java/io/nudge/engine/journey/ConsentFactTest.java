package io.nudge.engine.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Consent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules' Consent fact is read once per change of consent, not once per event, and never goes stale. */
final class ConsentFactTest {
  private static final long START = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
  private static final RulePack PACK = RulePack.compile(Map.of("consent-fact.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "tip-if-personalised" @reason("test reason") @dataUsed("test data")
      when
        CustomerEvent( $c : customerId, name == "Look" )
        Consent( customerId == $c, personalization )
      then
        nudge.tip("For you", "A tip");
      end
      """));

  private final List<Decision> decisions = new ArrayList<>();
  private final JourneySession session = new JourneySession(PACK, START, Duration.ofMinutes(30),
      Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), decisions::add);
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicLong changes = new AtomicLong();
  private volatile boolean personalization;
  private long sequence;

  ConsentFactTest() {
    session.consentFrom(customerId -> {
      reads.incrementAndGet();
      Map<Purpose, Boolean> allowed = new EnumMap<>(Purpose.class);
      for (Purpose p : Purpose.values()) {
        allowed.put(p, p == Purpose.PERSONALIZATION ? personalization : true);
      }
      return new Consent(customerId, allowed, new EnumMap<>(Purpose.class));
    }, changes::get);
  }

  @AfterEach
  void close() {
    session.close();
  }

  @Test
  void whileNoConsentChanges_itIsReadOnceForTheCustomer_notForEachEvent() {
    look("ann");
    look("ann");
    look("ann");

    assertThat(reads).hasValue(1);
  }

  @Test
  void aChangeAnywhere_makesTheNextEventReadItAgain_andTheRulesSeeTheNewChoice() {
    look("ann");
    assertThat(decisions).isEmpty();

    personalization = true;
    changes.incrementAndGet();
    look("ann");

    assertThat(reads).hasValue(2);
    assertThat(decisions).singleElement().satisfies(d -> assertThat(d.engagement().rule())
        .isEqualTo("tip-if-personalised"));
  }

  @Test
  void withoutACounter_consentIsReadForEveryEvent() {
    session.consentFrom(customerId -> {
      reads.incrementAndGet();
      return new Consent(customerId, new EnumMap<>(Purpose.class), new EnumMap<>(Purpose.class));
    });

    look("bob");
    look("bob");

    assertThat(reads).hasValue(2);
  }

  @Test
  void rulesThatNeverReadConsent_haveNoConsentFact_andNothingIsRead() {
    RulePack noConsent = RulePack.compile(Map.of("no-consent.drl", """
        package nudge.test;
        import io.nudge.engine.facts.*;

        rule "looks" when CustomerEvent( name == "Look" ) then end
        """));
    try (JourneySession plain = new JourneySession(noConsent, START, Duration.ofMinutes(30),
        Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), decisions::add)) {
      plain.consentFrom(customerId -> {
        reads.incrementAndGet();
        return new Consent(customerId, new EnumMap<>(Purpose.class), new EnumMap<>(Purpose.class));
      }, changes::get);

      plain.apply("ann", lookEvent("ann"), START, ++sequence);

      assertThat(reads).hasValue(0);
      assertThat(plain.factCount()).isEqualTo(2); // her journey and the event
    }
    look("ann");
    assertThat(session.factCount()).isEqualTo(3); // with the consent fact, which this pack reads
  }

  private void look(String customer) {
    session.apply(customer, lookEvent(customer), START, ++sequence);
  }

  private Event lookEvent(String customer) {
    return new Event("m" + (sequence + 1), "test", Event.EventType.TRACK, customer, null, null, "Look", Map.of(),
        Map.of(), Instant.ofEpochMilli(START), null);
  }
}
