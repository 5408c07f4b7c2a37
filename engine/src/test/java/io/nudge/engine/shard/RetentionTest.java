package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.store.rocks.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Journeys idle longer than the journey retention go with their timelines; decisions older than the
 * decision retention go with their outcomes; younger ones, identity links and consent stay.
 */
final class RetentionTest {
  private static final RulePack PACK = RulePack.compile(Map.of("retention.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-tip" @reason("test reason") @dataUsed("test data")
      when
        CustomerEvent( $c : customerId, isPageView(), path == "/help" )
        not Offer( customerId == $c, rule == "help-tip" )
      then
        nudge.tip("Help", "We are here.");
      end
      """));
  private static final Duration JOURNEYS = Duration.ofDays(5);
  private static final Duration DECISIONS = Duration.ofDays(8);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final List<Decision> heard = new CopyOnWriteArrayList<>();
  private final Path dir = tempDir();
  private EngineStore store;
  private ShardedEngine engine;
  private int messages;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
      store.close();
    }
  }

  private void start(Function<Path, EngineStore> open) {
    store = open.apply(dir);
    engine = ShardedEngine.start(EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock)
        .withShards(2).withConsentDefault(ConsentDefault.OPT_OUT).withTick(Duration.ofMillis(5))
        .withRetention(JOURNEYS, DECISIONS), PACK, heard::add, store);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-retention");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void page(String anonymousId, String path) throws Exception {
    engine.submit(List.of(new Event("rt" + (++messages), "web", Event.EventType.PAGE, anonymousId, null, null,
        null, Map.of("path", path), Map.of(), clock.instant(),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, Map.of()))),
        NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  /** An old visitor at day 0 and a young one at day 6, each with a tip; the old one's tip was shown. */
  private void twoVisitorsSixDaysApart() throws Exception {
    page("old-visitor", "/help");
    engine.setConsent("old-visitor", Map.of(Purpose.ANALYTICS, true), "api");
    engine.recordOutcome(heard.get(0).engagement().id(), "shown", clock.instant()).get(5, SECONDS);
    engine.journey("old-visitor").get(5, SECONDS);
    clock.advance(Duration.ofDays(6));
    page("young-visitor", "/help");
    clock.advance(Duration.ofDays(3));
  }

  @Test
  void purgeExpired_onRocksStore_removesIdleJourneysAndOldDecisions_andKeepsYoungerOnes() throws Exception {
    start(d -> RocksStore.open(d, clock));
    twoVisitorsSixDaysApart();
    String oldTip = heard.get(0).engagement().id();

    Map<String, Integer> purged = engine.purgeExpired().get(10, SECONDS);

    assertThat(purged).containsExactly(Map.entry("journeys", 1), Map.entry("timeline", 2),
        Map.entry("decisions", 1), Map.entry("outcomes", 1));
    assertThat(engine.journey("old-visitor").get(5, SECONDS)).isEmpty();
    assertThat(engine.timeline("old-visitor", Long.MAX_VALUE, 10)).isEmpty();
    assertThat(engine.decisions("old-visitor")).isEmpty();
    assertThat(engine.outcomes(oldTip)).isEmpty();
    assertThat(engine.customerOf("old-visitor")).as("identity links stay").contains("old-visitor");
    assertThat(engine.consent("old-visitor")).as("consent stays").containsOnlyKeys(Purpose.ANALYTICS);
    assertThat(engine.journey("young-visitor").get(5, SECONDS)).isPresent();
    assertThat(engine.timeline("young-visitor", Long.MAX_VALUE, 10)).hasSize(1);
    assertThat(engine.decisions("young-visitor")).hasSize(1);

    engine.close();
    store.close();
    start(d -> RocksStore.open(d, clock));

    assertThat(engine.journey("old-visitor").get(5, SECONDS)).as("its snapshot was deleted too").isEmpty();
    assertThat(engine.journey("young-visitor").get(5, SECONDS)).isPresent();
    assertThat(engine.purgeExpired().get(10, SECONDS)).as("nothing more is due")
        .containsExactly(Map.entry("journeys", 0), Map.entry("timeline", 0), Map.entry("decisions", 0),
            Map.entry("outcomes", 0));
  }

  @Test
  void purgeExpired_inMemory_removesIdleJourneysAndOldDecisions_andKeepsYoungerOnes() throws Exception {
    start(d -> new MemoryStore(clock));
    twoVisitorsSixDaysApart();

    Map<String, Integer> purged = engine.purgeExpired().get(10, SECONDS);

    assertThat(purged).containsExactly(Map.entry("journeys", 1), Map.entry("timeline", 2),
        Map.entry("decisions", 1), Map.entry("outcomes", 1));
    assertThat(engine.journey("old-visitor").get(5, SECONDS)).isEmpty();
    assertThat(engine.decisions("old-visitor")).isEmpty();
    assertThat(engine.journey("young-visitor").get(5, SECONDS)).isPresent();
    assertThat(engine.decisions("young-visitor")).hasSize(1);
  }

  @Test
  void purgeExpired_journeyJustInsideItsRetention_stays() throws Exception {
    start(d -> new MemoryStore(clock));
    page("visitor", "/help");
    clock.advance(JOURNEYS.minusMinutes(1));

    assertThat(engine.purgeExpired().get(10, SECONDS)).containsExactly(Map.entry("journeys", 0),
        Map.entry("timeline", 0), Map.entry("decisions", 0), Map.entry("outcomes", 0));

    clock.advance(Duration.ofMinutes(2));
    assertThat(engine.purgeExpired().get(10, SECONDS)).containsEntry("journeys", 1);
  }
}
