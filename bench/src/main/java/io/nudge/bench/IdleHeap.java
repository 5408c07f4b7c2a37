package io.nudge.bench;

import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap per idle journey of the engine alone, in minutes instead of an 11-minute wait: the engine's clock
 * is moved by hand past the raw events' ten minutes, so they expire as they would on a quiet site. The
 * engine runs on a RocksDB store in a temporary folder, as in the server. The server's figure (the
 * {@code all} run) adds what HTTP and the streams hold; this one is for finding
 * what a journey costs, with a heap histogram of this JVM ({@code jcmd <pid> GC.class_histogram}).
 */
final class IdleHeap {
  private static final int BATCH = 100;
  /** Events each customer sends before the site goes quiet. */
  static final int EVENTS_PER_CUSTOMER = 10;

  private IdleHeap() {}

  /** Bytes of heap per customer after {@code eventsPerCustomer} events each, their raw events expired. */
  static double bytesPerJourney(RulePack rules, int customers, int eventsPerCustomer)
      throws InterruptedException, java.io.IOException {
    AtomicLong millis = new AtomicLong(System.currentTimeMillis());
    InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
    java.nio.file.Path data = java.nio.file.Files.createTempDirectory("nudge-idle-heap");
    long empty = usedAfterGc();
    // the store on disk, as in the server: a store in memory would count the event log as journeys' heap
    try (io.nudge.engine.store.rocks.RocksStore store = io.nudge.engine.store.rocks.RocksStore.open(data, clock);
        ShardedEngine engine = ShardedEngine.start(EngineSettings.defaults().withClock(clock), rules, d -> { },
            store)) {
      Population population = new Population(customers, 42, "idle-heap");
      long events = (long) customers * eventsPerCustomer;
      List<Event> batch = new ArrayList<>(BATCH);
      for (long i = 0; i < events; i++) {
        batch.add(population.next(clock.instant()).event());
        if (batch.size() == BATCH || i == events - 1) {
          millis.addAndGet(1); // a batch a millisecond: 100,000 events/s, as on a busy site
          engine.submit(List.copyOf(batch), NudgeEngine.Ack.APPLIED).join();
          batch.clear();
        }
      }
      millis.addAndGet(Duration.ofMinutes(11).toMillis()); // past the raw events' ten minutes
      // every shard ticks its rule clock to the new time and expires the events, which takes a while;
      // a read of journeys on every shard waits for that
      Thread.sleep(200);
      for (int c = 0; c < 64; c++) {
        engine.journey(Population.anonymousId(c)).join();
      }
      long idle = usedAfterGc();
      int hold = Integer.getInteger("nudge.bench.hold", 0);
      System.out.println("idle-heap: measured; the engine stays up for " + hold + " s more (-Dnudge.bench.hold)"
          + " for a heap histogram: jcmd " + ProcessHandle.current().pid() + " GC.class_histogram");
      Thread.sleep(hold * 1000L);
      return (idle - empty) / (double) customers;
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
