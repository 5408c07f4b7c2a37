package io.nudge.engine.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineMetrics;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import io.nudge.engine.journey.Gate;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.JourneyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A shard saves a round of changed journeys a chunk at a time, between passes over its queue, so that
 * events do not wait behind one save of thousands; only the round's last chunk moves the checkpoint.
 */
final class ShardSaveTest {
  private static final long START = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
  private static final RulePack PACK = RulePack.compile(Map.of("none.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      rule "nothing" when CustomerEvent( name == "never" ) then end
      """));

  record Save(long checkpoint, int journeys) {}

  @Test
  void aRoundOfManyJourneysIsSavedInChunks_andOnlyItsLastChunkMovesTheCheckpoint() {
    List<Save> saves = new CopyOnWriteArrayList<>();
    JourneySession session = new JourneySession(PACK, START, Duration.ofMinutes(30),
        Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)), d -> { });
    int customers = Shard.SAVE_CHUNK * 2 + Shard.SAVE_CHUNK / 2;
    for (int c = 1; c <= customers; c++) {
      session.apply("c" + c, page("c" + c, c), START, c);
    }
    Shard shard = new Shard(0, 10, session, InstantSource.fixed(Instant.ofEpochMilli(START)), 5, 0,
        recording(saves, 7), () -> customers, EngineMetrics.NONE);
    shard.applied(customers);

    shard.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (saves.size() < 3 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    } finally {
      shard.stop(5_000);
    }

    assertThat(saves.subList(0, 3)).containsExactly(
        new Save(7, Shard.SAVE_CHUNK), new Save(7, Shard.SAVE_CHUNK), new Save(customers, Shard.SAVE_CHUNK / 2));
  }

  private static Event page(String customer, int n) {
    return new Event("m" + n, "test", Event.EventType.PAGE, customer, null, null, null, Map.of("path", "/p"),
        Map.of(), Instant.ofEpochMilli(START), null);
  }

  /** A store that records each save, whose checkpoint before the shard started was {@code previous}. */
  private static JourneyStore recording(List<Save> saves, long previous) {
    return new JourneyStore() {
      @Override
      public void save(int shard, long checkpoint, Map<String, byte[]> snapshots) {
        saves.add(new Save(checkpoint, snapshots.size()));
      }

      @Override
      public long checkpoint() {
        return previous;
      }

      @Override
      public void resetCheckpoints(int shards, long checkpoint) {}

      @Override
      public void forEach(BiConsumer<String, byte[]> consumer) {}
    };
  }
}
