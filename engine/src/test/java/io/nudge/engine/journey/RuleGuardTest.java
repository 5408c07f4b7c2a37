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
import org.junit.jupiter.api.Test;

/** A rule that loops is stopped for that event, reported by name, and nothing else stops. */
final class RuleGuardTest {
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final RulePack PACK = RulePack.compile(Map.of("guard.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "loops-forever"
      when
        $j : Journey( currentPath == "/loop" )
      then
        update($j);
      end

      rule "helps-on-the-same-page" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/loop" )
        not Offer( customerId == $c, rule == "helps-on-the-same-page" )
      then
        nudge.tip("Still here?", "Try the search.");
      end

      rule "still-waiting-after-a-minute" @reason("test reason") @dataUsed("test data")
        timer(int: 60s)
      when
        Journey( $c : customerId, currentPath == "/wait" )
      then
        nudge.tip("Still waiting?", "We are here.");
      end

      rule "helps-elsewhere" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/help" )
        not Offer( customerId == $c, rule == "helps-elsewhere" )
      then
        nudge.tip("Help", "Ask us anything.");
      end
      """));

  private final List<Decision> decisions = new ArrayList<>();
  private final JourneySession session = new JourneySession(PACK, START, Duration.ofMinutes(30),
      Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), decisions::add);
  private int sequence;

  @Test
  void loopingRule_stoppedForThatEvent_reportedByName_otherRulesAndCustomersGoOn() {
    page("ann", "/loop", START);

    assertThat(session.stoppedRules()).isEqualTo(Map.of("loops-forever", 1));
    assertThat(decisions).extracting(d -> d.engagement().rule()).containsExactly("helps-on-the-same-page");

    page("bob", "/help", START + 1_000);
    session.advanceTo(START + 60_000);

    assertThat(decisions).extracting(d -> d.engagement().rule())
        .containsExactly("helps-on-the-same-page", "helps-elsewhere");
    assertThat(session.stoppedRules()).isEqualTo(Map.of("loops-forever", 1)); // not again on the ticks
  }

  @Test
  void manyCustomersTimersDueInOneTick_allFire_noneStoppedAsALoop() {
    int customers = JourneySession.MAX_FIRINGS_PER_RULE + 500;
    for (int c = 0; c < customers; c++) {
      page("c" + c, "/wait", START);
    }

    session.advanceTo(START + 61_000); // one turn: every customer's timer is due in it

    assertThat(decisions).hasSize(customers)
        .allSatisfy(d -> assertThat(d.engagement().rule()).isEqualTo("still-waiting-after-a-minute"));
    assertThat(session.stoppedRules()).isEmpty();
  }

  private void page(String customer, String path, long at) {
    session.apply(customer, new Event("m" + (++sequence), "test", Event.EventType.PAGE, customer, null, null, null,
        Map.of("path", path), Map.of(), Instant.ofEpochMilli(at),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, Map.of())),
        at, sequence);
  }
}
