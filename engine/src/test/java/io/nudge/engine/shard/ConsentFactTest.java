package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consent is a fact rules can match, kept current by events and by the API. */
final class ConsentFactTest {
  private static final RulePack PACK = RulePack.compile(Map.of("consent-fact.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "callback-only-if-allowed" @reason("test reason") @dataUsed("test data")
      when
        $j : Journey( $c : customerId, currentPath == "/contact" )
        $k : Consent( customerId == $c, callback, state("callback") == "granted" )
      then
        nudge.callback("support", "Shall we call you?");
      end
      """));

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final LinkedBlockingQueue<Decision> heard = new LinkedBlockingQueue<>();
  private final ShardedEngine engine = ShardedEngine.start(EngineSettings.defaults().withShards(2)
      .withPolicy(ContactPolicy.none()).withClock(clock), PACK, heard::add);
  private int messages;

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void ruleMatchingConsent_doesNotFireWithoutIt_thenFiresWhenTheApiGrantsIt_withNoNewEvent() throws Exception {
    submit(page("ann", "/contact", Map.of()));
    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull(); // not even suppressed

    engine.setConsent("ann", Map.of(Purpose.CALLBACK, true), "api");

    Decision d = heard.poll(5, SECONDS);
    assertThat(d.engagement().rule()).isEqualTo("callback-only-if-allowed");
    assertThat(d.reason()).isEqualTo("sent");
  }

  @Test
  void consentCarriedByTheEvent_isInTheFactWhenTheRulesRun() throws Exception {
    submit(page("bob", "/contact", Map.of(Purpose.CALLBACK, true)));

    assertThat(heard.poll(5, SECONDS).engagement().customerId()).isEqualTo(engine.customerOf("bob").orElseThrow());
  }

  @Test
  void consentWithdrawn_theFactChanges_andTheRuleDoesNotFireAgain() throws Exception {
    submit(page("cara", "/contact", Map.of(Purpose.CALLBACK, true)));
    assertThat(heard.poll(5, SECONDS)).isNotNull();

    engine.setConsent("cara", Map.of(Purpose.CALLBACK, false), "api");
    engine.setConsent("cara", Map.of(Purpose.CALLBACK, true), "api");
    submit(page("cara", "/contact", Map.of()));

    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull(); // once per visit
  }

  private void submit(Event e) throws Exception {
    engine.submit(List.of(e), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  private Event page(String anonymousId, String path, Map<Purpose, Boolean> consent) {
    return new Event("m" + (++messages), "web", Event.EventType.PAGE, anonymousId, null, null, null,
        Map.of("path", path), Map.of(), clock.instant(),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, consent));
  }
}
