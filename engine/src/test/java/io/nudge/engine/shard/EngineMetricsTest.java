package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineMetrics;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the engine reports to its {@link EngineMetrics}: events, firings, decisions, store writes. */
final class EngineMetricsTest {
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "%s" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/help" )
        not Offer( customerId == $c, rule == "%s" )
      then
        nudge.chat("support", "Need a hand?");
      end
      """;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Recording metrics = new Recording();
  private final ShardedEngine engine = ShardedEngine.start(EngineSettings.defaults().withShards(2)
      .withPolicy(ContactPolicy.none()).withClock(clock).withMetrics(metrics), pack("help-chat"), d -> { });
  private int messages;

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void metrics_countEventsFiringsAndDecisions_alsoAfterARuleReload() throws Exception {
    engine.submit(List.of(page("a", "/help", true), page("b", "/help", false), page("c", "/shoes", true)),
        NudgeEngine.Ack.APPLIED).get(5, SECONDS);
    engine.reload(pack("help-chat-2")).get(5, SECONDS);
    engine.submit(List.of(page("d", "/help", true)), NudgeEngine.Ack.APPLIED).get(5, SECONDS);

    assertThat(metrics.accepted.get()).isEqualTo(4);
    assertThat(metrics.processed.get()).isEqualTo(4);
    assertThat(metrics.written.get()).isEqualTo(4);
    // the rules change in place: the new rule runs at once on the journeys already there (a and b),
    // and then on d's event, each firing counted
    assertThat(metrics.firings).containsExactlyInAnyOrderEntriesOf(Map.of("help-chat", 2, "help-chat-2", 3));
    assertThat(metrics.decisions).containsEntry("sent", 3).containsEntry("suppressed consent:proactive_chat", 2);
    assertThat(engine.shardCount()).isEqualTo(2);
    assertThat(engine.queued(0) + engine.queued(1)).isZero();
  }

  private static RulePack pack(String rule) {
    return RulePack.compile(Map.of("help.drl", RULES.formatted(rule, rule)));
  }

  private Event page(String anonymousId, String path, boolean consent) {
    return new Event("m" + (++messages), "web", Event.EventType.PAGE, anonymousId, null, null, null,
        Map.of("path", path), Map.of(), clock.instant(), new Event.EventContext(new Event.Page(path, null, null, null,
        null), null, null, null, null, Map.of(Purpose.PROACTIVE_CHAT, consent)));
  }

  private static final class Recording implements EngineMetrics {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger processed = new AtomicInteger();
    final AtomicInteger written = new AtomicInteger();
    final Map<String, Integer> firings = new ConcurrentHashMap<>();
    final Map<String, Integer> decisions = new ConcurrentHashMap<>();

    @Override
    public void eventsAccepted(int count) {
      accepted.addAndGet(count);
    }

    @Override
    public void eventProcessed(int shard, long nanos) {
      processed.incrementAndGet();
    }

    @Override
    public void ruleFired(String rule) {
      firings.merge(rule, 1, Integer::sum);
    }

    @Override
    public void decided(Decision d) {
      String key = d.sent() ? "sent" : d.outcome().id() + " " + d.reason();
      decisions.merge(key, 1, Integer::sum);
    }

    @Override
    public void eventsWritten(int count, long nanos) {
      written.addAndGet(count);
    }
  }
}
