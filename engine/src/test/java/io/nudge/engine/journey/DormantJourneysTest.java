package io.nudge.engine.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A restored customer stays as their snapshot's bytes until something needs them, so a restart reads a
 * million journeys in seconds: none of their facts is in the session, and nothing about them changes.
 */
final class DormantJourneysTest {
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final RulePack PACK = RulePack.compile(Map.of("dormant-test.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "second-page" @reason("test reason") @dataUsed("test data")
      when
        $e : CustomerEvent( $c : customerId, isPageView() )
        Journey( customerId == $c, pageViewsThisSession >= 2 )
      then
        nudge.tip("welcome back", "second page");
      end

      rule "b-after-a" @reason("test reason") @dataUsed("test data")
      when
        $a : CustomerEvent( $c : customerId, name == "A" )
        $b : CustomerEvent( customerId == $c, name == "B", this after $a )
      then
        nudge.tip("a then b", "b after a");
      end
      """));

  private final List<Decision> decisions = new ArrayList<>();
  private final JourneySession before = session();
  private final JourneySession after = session();
  private long sequence;

  @AfterEach
  void close() {
    before.close();
    after.close();
  }

  private JourneySession session() {
    return new JourneySession(PACK, START, Duration.ofMinutes(30),
        Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), decisions::add);
  }

  @Test
  void restored_isKnownAndReadable_butHasNoFactInTheSession() {
    page(before, "ann", "/home", START);
    byte[] snapshot = before.snapshot("ann");

    after.restore("ann", snapshot);

    assertThat(after.factCount()).isZero();
    assertThat(after.knows("ann")).isTrue();
    assertThat(after.customerCount()).isEqualTo(1);
    assertThat(after.customerIds()).containsExactly("ann");
    assertThat(after.journey("ann").orElseThrow().getCurrentPath()).isEqualTo("/home");
    assertThat(after.snapshotOrNull("ann")).isEqualTo(snapshot);
    assertThat(after.factCount()).isZero();
    assertThat(after.takeChangedIds()).isEmpty();
  }

  @Test
  void restored_wakesAtTheirFirstEvent_withTheJourneyTheyHad() {
    page(before, "ann", "/home", START);
    after.restore("ann", before.snapshot("ann"));

    page(after, "ann", "/shoes", START + 1_000);

    assertThat(after.factCount()).isPositive();
    assertThat(after.journey("ann").orElseThrow().getPageViewsThisSession()).isEqualTo(2);
    assertThat(decisions).extracting(d -> d.engagement().rule()).containsExactly("second-page");
    assertThat(after.takeChangedIds()).containsExactly("ann");
  }

  @Test
  void restored_removedWithoutWaking_givesBackTheSnapshotAndIsSavedAsGone() {
    page(before, "ann", "/home", START);
    byte[] snapshot = before.snapshot("ann");
    after.restore("ann", snapshot);

    assertThat(after.remove("ann")).isEqualTo(snapshot);

    assertThat(after.knows("ann")).isFalse();
    assertThat(after.takeChangedIds()).containsExactly("ann");
    assertThat(after.snapshotOrNull("ann")).isNull();
  }

  @Test
  void restored_carriedToASessionOfNewRules_stillDormant() {
    page(before, "ann", "/home", START);
    after.restore("ann", before.snapshot("ann"));

    try (JourneySession next = after.withRules(PACK, Duration.ZERO)) {
      assertThat(next.factCount()).isZero();
      assertThat(next.journey("ann").orElseThrow().getCurrentPath()).isEqualTo("/home");
    }
  }

  @Test
  void restored_lastSequenceRead_withoutWaking() {
    page(before, "ann", "/home", START);
    after.restore("ann", before.snapshot("ann"));

    assertThat(after.lastSequence("ann")).isEqualTo(sequence);
    assertThat(after.factCount()).isZero();
  }

  @Test
  void anEventPutBackWhenNeeded_waitsWithTheDormantCustomer_andEntersWhenTheyReturn() {
    Event a = track("ann", "A", START);
    before.apply("ann", a, START, sequence);
    after.restore("ann", before.snapshot("ann"));

    after.reinsertWhenNeeded("ann", a, START, sequence);
    assertThat(after.factCount()).isZero();
    after.apply("ann", track("ann", "B", START + 60_000), START + 60_000, ++sequence);

    assertThat(decisions).extracting(d -> d.engagement().rule()).containsExactly("b-after-a");
  }

  @Test
  void anEventPutBackWhenNeeded_isDropped_onceItsLifetimeHasPassed() {
    Event a = track("ann", "A", START);
    before.apply("ann", a, START, sequence);
    after.restore("ann", before.snapshot("ann"));
    after.reinsertWhenNeeded("ann", a, START, sequence);

    long later = START + java.time.Duration.ofMinutes(11).toMillis();
    after.advanceTo(later);
    after.apply("ann", track("ann", "B", later), later, ++sequence);

    assertThat(decisions).isEmpty();
  }

  private Event track(String customer, String name, long at) {
    return new Event("m" + (++sequence), "test", Event.EventType.TRACK, customer, null, null, name, Map.of(),
        Map.of(), Instant.ofEpochMilli(at), null);
  }

  private void page(JourneySession session, String customer, String path, long at) {
    Event event = new Event("m" + (++sequence), "test", Event.EventType.PAGE, customer, null, null, null,
        Map.of("path", path), Map.of(), Instant.ofEpochMilli(at),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, Map.of()));
    session.apply(customer, event, at, sequence);
  }
}
