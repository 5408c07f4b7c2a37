package io.nudge.bench;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.OverloadedException;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine without HTTP, and the naive baseline, fed the same seeded events; what the JMH benchmark
 * measures and what the smoke test runs directly. Event times follow the wall clock, like a live site.
 */
final class EngineLoad {
  /** Batches submitted and not yet applied, at most: enough to keep every shard busy. */
  private static final int IN_FLIGHT = 64;

  private EngineLoad() {}

  /** A running engine on a memory store, shards one per core, counting what it decides. */
  static final class Engine implements AutoCloseable {
    final ShardedEngine engine;
    final LongAdder decided = new LongAdder();

    Engine(RulePack rules) {
      engine = ShardedEngine.start(EngineSettings.defaults().withShards(Integer.getInteger("nudge.bench.shards",
          Runtime.getRuntime().availableProcessors())), rules, (Decision d) -> decided.increment());
    }

    /** Submits {@code batches} batches of {@code batchSize} and returns once all are applied. */
    void run(Population population, int batches, int batchSize) {
      ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
      for (int b = 0; b < batches; b++) {
        List<Event> batch = new ArrayList<>(batchSize);
        Instant now = Instant.now();
        for (int i = 0; i < batchSize; i++) {
          batch.add(population.next(now).event());
        }
        inFlight.add(submit(batch));
        if (inFlight.size() >= IN_FLIGHT) {
          inFlight.poll().join();
        }
      }
      inFlight.forEach(CompletableFuture::join);
    }

    private CompletableFuture<Void> submit(List<Event> batch) {
      while (true) {
        try {
          return engine.submit(batch, NudgeEngine.Ack.APPLIED);
        } catch (OverloadedException e) {
          Thread.onSpinWait(); // a shard's queue is full: wait for it, as a client retries a 429
        }
      }
    }

    @Override
    public void close() {
      engine.close();
    }
  }

  /** Applies {@code events} events to the naive engine, one at a time, on this thread. */
  static void runNaive(NaiveEngine naive, Population population, int events) {
    for (int i = 0; i < events; i++) {
      long now = System.currentTimeMillis();
      naive.apply(population.next(Instant.ofEpochMilli(now)).event(), now);
    }
  }
}
