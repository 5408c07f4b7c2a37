package io.nudge.bench;

import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.rocks.RocksStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap per idle journey of the engine alone, and its restart on those journeys, in minutes instead of
 * an 11-minute wait: the engine's clock is moved by hand past the raw events' ten minutes, so they
 * expire as they would on a quiet site. The engine runs on a RocksDB store in a temporary folder, as in
 * the server. The server's figure (the {@code all} run) adds what HTTP and the streams hold; this one is
 * for finding what a journey costs, with a heap histogram of this JVM
 * ({@code jcmd <pid> GC.class_histogram}).
 *
 * <p>Customers arrive in waves of {@link #WAVE}, each wave's clock eleven minutes after the last, so
 * at most one wave's raw events are live at once, as on a site whose million customers do not all
 * visit in the same ten minutes.
 */
final class IdleHeap {
  private static final int BATCH = 100;
  /** Events each customer sends before the site goes quiet. */
  static final int EVENTS_PER_CUSTOMER = 10;
  /** Customers whose visits overlap; the next wave comes after their raw events expired. */
  static final int WAVE = 100_000;
  private static final Duration QUIET = Duration.ofMinutes(11);

  private IdleHeap() {}

  /**
   * @param bytesPerJourney heap per customer, their raw events expired
   * @param restartMillis from opening the store again to every shard answering, on the same journeys
   * @param journeys journeys the restarted engine holds
   */
  record Result(double bytesPerJourney, long restartMillis, int journeys) {}

  /** Heap per customer after {@code eventsPerCustomer} events each, then a restart on the same store. */
  static Result measure(RulePack rules, int customers, int eventsPerCustomer)
      throws InterruptedException, IOException {
    AtomicLong millis = new AtomicLong(System.currentTimeMillis());
    InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
    Path data = Files.createTempDirectory("nudge-idle-heap");
    EngineSettings settings = EngineSettings.defaults().withClock(clock);
    double perJourney;
    long empty = usedAfterGc();
    // the store on disk, as in the server: a store in memory would count the event log as journeys' heap
    try (RocksStore store = RocksStore.open(data, clock);
        ShardedEngine engine = ShardedEngine.start(settings, rules, d -> { }, store)) {
      int waves = (customers + WAVE - 1) / WAVE;
      for (int w = 0; w < waves; w++) {
        int inWave = customers / waves + (w < customers % waves ? 1 : 0);
        // customers w, w + waves, w + 2 * waves ...: Population.anonymousId of each is unique
        Population population = new Population(inWave, 42 + w, "idle-heap-" + w, waves, w);
        long events = (long) inWave * eventsPerCustomer;
        List<Event> batch = new ArrayList<>(BATCH);
        for (long i = 0; i < events; i++) {
          batch.add(population.next(clock.instant()).event());
          if (batch.size() == BATCH || i == events - 1) {
            millis.addAndGet(1); // a batch a millisecond: 100,000 events/s, as on a busy site
            engine.submit(List.copyOf(batch), NudgeEngine.Ack.APPLIED).join();
            batch.clear();
          }
        }
        millis.addAndGet(QUIET.toMillis()); // past the raw events' ten minutes
        System.out.printf("idle-heap: wave %d of %d sent (%,d customers)%n", w + 1, waves, inWave);
      }
      // every shard ticks its rule clock to the new time and expires the events, which takes a while;
      // a read of journeys on every shard waits for that
      Thread.sleep(200);
      readOnEveryShard(engine);
      perJourney = (usedAfterGc() - empty) / (double) customers;
      int hold = Integer.getInteger("nudge.bench.hold", 0);
      System.out.println("idle-heap: measured; the engine stays up for " + hold + " s more (-Dnudge.bench.hold)"
          + " for a heap histogram: jcmd " + ProcessHandle.current().pid() + " GC.class_histogram");
      Thread.sleep(hold * 1000L);
    }
    System.gc();
    millis.addAndGet(Duration.ofSeconds(5).toMillis()); // a quick restart
    long started = System.nanoTime();
    try (RocksStore store = RocksStore.open(data, clock);
        ShardedEngine engine = ShardedEngine.start(settings, rules, d -> { }, store)) {
      readOnEveryShard(engine);
      long restart = (System.nanoTime() - started) / 1_000_000;
      int[] journeys = new int[1];
      store.journeys().forEach((customerId, snapshot) -> journeys[0]++);
      return new Result(perJourney, restart, journeys[0]);
    } finally {
      deleteTree(data);
    }
  }

  private static void readOnEveryShard(ShardedEngine engine) {
    for (int c = 0; c < 64; c++) {
      engine.journey(Population.anonymousId(c)).join();
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

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
