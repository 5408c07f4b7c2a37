package io.nudge.engine.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.Decision;
import io.nudge.engine.Event;
import io.nudge.engine.RuleCompilationException;
import io.nudge.engine.RulePack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session holds asks for the arbitration window and hands them to the gate together. */
final class ArbitrationWindowTest {
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "tip-on-search" @reason("test reason") @dataUsed("test data")
        @priority(1)
      when
        CustomerEvent( name == "Products Searched" )
      then
        nudge.tip("Search tips", "Try fewer words");
      end

      rule "chat-on-help" @reason("test reason") @dataUsed("test data")
        @priority(10)
      when
        CustomerEvent( name == "Help" )
      then
        nudge.chat("sales", "Can we help?").orTip("We are closed", "Back at 9");
      end

      rule "callback-on-help" @reason("test reason") @dataUsed("test data")
      when
        CustomerEvent( name == "Help" )
      then
        nudge.callback("sales", "Shall we call?");
      end
      """;
  private static final RulePack PACK = RulePack.compile(Map.of("arbitration.drl", RULES));

  private final List<List<Asked>> groups = new ArrayList<>();
  private final List<Instant> decidedAt = new ArrayList<>();
  private final List<Decision> decisions = new ArrayList<>();
  private final JourneySession session = new JourneySession(PACK, START, Duration.ofMinutes(30),
      Duration.ofSeconds(2), (asked, customer, now) -> {
        groups.add(asked);
        decidedAt.add(now);
        return asked.stream().map(a -> new Decision(a.engagement(), Decision.Outcome.SENT, "sent", now)).toList();
      }, decisions::add);
  private int sequence;

  @Test
  void asksWithinTheWindow_decidedTogetherWhenItEnds_withPriorityAndFallbackFromTheRule() {
    apply("ann", "Products Searched", START);
    apply("ann", "Help", START + 1_500);
    assertThat(groups).isEmpty();

    session.advanceTo(START + 1_999);
    assertThat(groups).isEmpty();
    session.advanceTo(START + 2_000);

    assertThat(groups).hasSize(1);
    assertThat(decidedAt).containsExactly(Instant.ofEpochMilli(START + 2_000));
    assertThat(groups.get(0)).extracting(a -> a.engagement().rule(), Asked::priority, Asked::orTip)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("tip-on-search", 1, Map.of()),
            org.assertj.core.groups.Tuple.tuple("chat-on-help", 10, Map.of("title", "We are closed", "body", "Back at 9")),
            org.assertj.core.groups.Tuple.tuple("callback-on-help", 0, Map.of()));
    assertThat(groups.get(0).get(0).engagement().rule()).isEqualTo("tip-on-search");
  }

  @Test
  void asksOfDifferentCustomers_decidedSeparately_eachWhenItsOwnWindowEnds() {
    apply("ann", "Products Searched", START);
    apply("bob", "Products Searched", START + 1_000);

    session.advanceTo(START + 2_000);
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).get(0).engagement().customerId()).isEqualTo("ann");

    session.advanceTo(START + 3_000);
    assertThat(groups).hasSize(2);
    assertThat(groups.get(1).get(0).engagement().customerId()).isEqualTo("bob");
  }

  @Test
  void anAskAfterTheWindow_startsANewGroup() {
    apply("ann", "Products Searched", START);
    apply("ann", "Help", START + 2_500); // the first window closed at +2 s, while applying this event

    session.advanceTo(START + 4_500);

    assertThat(groups).hasSize(2);
    assertThat(groups.get(0)).hasSize(1);
    assertThat(groups.get(1)).hasSize(2);
  }

  @Test
  void removingACustomer_decidesTheirWaitingAsksFirst() {
    apply("ann", "Help", START);

    session.remove("ann");

    assertThat(decisions).hasSize(2);
  }

  @Test
  void asksStillWaitingWhenTheSessionCloses_areDecidedThen_notLostWithIt() {
    apply("ann", "Help", START);
    apply("bob", "Products Searched", START + 500);

    session.close(); // a node giving its customers up, or stopping, before the window ends

    assertThat(decidedAt).containsExactly(Instant.ofEpochMilli(START + 500), Instant.ofEpochMilli(START + 500));
    assertThat(decisions).extracting(d -> d.engagement().customerId() + ":" + d.engagement().rule())
        .containsExactlyInAnyOrder("ann:chat-on-help", "ann:callback-on-help", "bob:tip-on-search");
  }

  @Test
  void decideAllWaiting_endsEveryWindowNow_andTheSessionGoesOn() {
    apply("ann", "Help", START);

    session.decideAllWaiting();
    assertThat(groups).hasSize(1);
    session.advanceTo(START + 5_000);
    assertThat(groups).as("decided once").hasSize(1);

    apply("ann", "Products Searched", START + 6_000);
    session.advanceTo(START + 8_000);
    assertThat(groups).hasSize(2);
  }

  @Test
  void priorityThatIsNotAWholeNumber_rejectedAtCompileWithFileAndLine() {
    String drl = RULES.replace("@priority(1)", "@priority(\"high\")");

    assertThatThrownBy(() -> RulePack.compile(Map.of("arbitration.drl", drl)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).singleElement()
            .hasToString("arbitration.drl:6:3: rule \"tip-on-search\" has @priority(high), which must be a "
                + "whole number"));
  }

  private void apply(String customer, String name, long at) {
    session.apply(customer, new Event("m" + (++sequence), "test", Event.EventType.TRACK, customer, null, null, name,
        Map.of(), Map.of(), Instant.ofEpochMilli(at), null), at, sequence);
  }
}
