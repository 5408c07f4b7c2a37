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
 * A shard applies the events it drains with the rules deferred ({@link JourneySession#deferRules}) and
 * runs them once per pass. These specify that every customer still gets exactly the engagements, with
 * exactly the context, that running the rules after each event gives.
 */
final class DeferredRulesTest {
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "every-page" @reason("test reason") @dataUsed("test data")
      when
        $e : CustomerEvent( $c : customerId, isPageView(), $path : path )
        Journey( customerId == $c )
      then
        nudge.once($path).tip("page", $path);
      end

      rule "idle" @reason("test reason") @dataUsed("test data")
      when
        $j : Journey( $c : customerId, currentPath == "/checkout" )
        $last : CustomerEvent( customerId == $c, sequence == $j.lastSequence )
        not CustomerEvent( customerId == $c, sequence > $last.sequence, this after[0s,30s] $last )
      then
        nudge.tip("idle", "still there?");
      end
      """;
  private static final RulePack PACK = RulePack.compile(Map.of("deferred-test.drl", RULES));

  private final List<Decision> immediate = new ArrayList<>();
  private final List<Decision> deferred = new ArrayList<>();
  private final JourneySession eachEvent = session(immediate);
  private final JourneySession batched = session(deferred);
  private long sequence;

  DeferredRulesTest() {
    batched.deferRules(true);
  }

  @AfterEach
  void close() {
    eachEvent.close();
    batched.close();
  }

  private static JourneySession session(List<Decision> into) {
    return new JourneySession(PACK, START, Duration.ofMinutes(30),
        Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), into::add);
  }

  @Test
  void deferred_rulesRunAtSettle_andWhatWaitsForThemRunsAfter() {
    List<String> order = new ArrayList<>();
    page(batched, "ann", "/home", START);
    page(batched, "bob", "/home", START);
    batched.whenRulesRan(() -> order.add("applied, " + deferred.size() + " decided"));

    assertThat(deferred).isEmpty();
    assertThat(order).isEmpty();

    batched.settle();

    assertThat(deferred).extracting(d -> d.engagement().customerId()).containsExactly("ann", "bob");
    assertThat(order).containsExactly("applied, 2 decided");
  }

  @Test
  void notDeferring_whatWaitsForTheRulesRunsAtOnce() {
    List<String> order = new ArrayList<>();
    page(eachEvent, "ann", "/home", START);

    eachEvent.whenRulesRan(() -> order.add("applied, " + immediate.size() + " decided"));

    assertThat(order).containsExactly("applied, 1 decided");
  }

  @Test
  void eventsOfOneMillisecond_shareARunOfTheRules_butACustomersSecondEventWaitsForTheirFirst() {
    for (JourneySession s : List.of(eachEvent, batched)) {
      page(s, "ann", "/a", START);
      page(s, "bob", "/a", START);
      page(s, "ann", "/b", START);
      s.settle();
    }

    // the engagement for /a was decided while ann was still on /a, deferred or not
    assertThat(summaries(immediate)).containsExactly(
        "ann every-page /a @0", "bob every-page /a @0", "ann every-page /b @0");
    assertThat(summaries(deferred)).isEqualTo(summaries(immediate));
  }

  @Test
  void aTimerDueBeforeAnEvent_firesBeforeTheEventIsApplied_evenForAnotherCustomersEvent() {
    for (JourneySession s : List.of(eachEvent, batched)) {
      page(s, "ann", "/checkout", START);
      page(s, "cat", "/checkout", START + 10_000);
      // bob's event comes 1 ms after ann's idle timer is due; then ann clicks again
      page(s, "bob", "/home", START + 30_001);
      page(s, "ann", "/checkout", START + 30_002);
      s.settle();
    }

    assertThat(summaries(immediate)).containsExactly("ann every-page /checkout @0",
        "cat every-page /checkout @10000", "ann idle /checkout @30001", "bob every-page /home @30001");
    assertThat(summaries(deferred)).isEqualTo(summaries(immediate));
  }

  @Test
  void aTimerFallingDueWhileTheRulesAreDeferred_stillFiresWhenTheClockMoves() {
    page(batched, "ann", "/checkout", START);
    batched.settle();

    batched.advanceTo(START + 31_000);

    assertThat(summaries(deferred)).containsExactly("ann every-page /checkout @0", "ann idle /checkout @31000");
  }

  private static List<String> summaries(List<Decision> decisions) {
    return decisions.stream().map(d -> d.engagement().customerId() + " " + d.engagement().rule() + " "
        + d.engagement().context().get("currentPage") + " @" + (d.engagement().createdAt().toEpochMilli() - START))
        .toList();
  }

  private void page(JourneySession session, String customer, String path, long at) {
    Event event = new Event("m" + (++sequence), "test", Event.EventType.PAGE, customer, null, null, null,
        Map.of("path", path), Map.of(), Instant.ofEpochMilli(at),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, Map.of()));
    session.apply(customer, event, at, sequence);
  }
}
