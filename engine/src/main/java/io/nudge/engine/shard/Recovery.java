package io.nudge.engine.shard;

import io.nudge.engine.NudgeException;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.LoggedEvent;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A start's restore. One thread reads the journeys and hands each shard its customers' snapshots, which
 * the shard puts back on its own thread; another reads the event log meanwhile, up to the last event
 * logged before the start, and routes each event to its customer's shard. Once every shard has its
 * journeys, a merge that a crash interrupted is folded, and each shard catches up on its events: it puts
 * back the recent raw events its customers' rules look back at, applies the logged events no snapshot
 * holds, and runs the timers that fell due while Nudge was down. Events accepted meanwhile are logged
 * after those and wait in the shards' queues; {@code recovered} completes when every shard is through.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  /** Snapshots handed to a shard's thread at a time. */
  private static final int BATCH = 512;
  /**
   * The customers with an event this close to the last event logged get their recent events back in the
   * session at once, so the timers those start fall due (and are sent, or recorded as expired); the
   * others get theirs back when they return. No rule of the default pack waits longer than 30 s after
   * an event.
   */
  static final Duration TIMERS_LOOK_BACK = Duration.ofMinutes(2);

  /** Applies a logged event that no snapshot holds, as the engine does once it runs. */
  interface Applier {
    void apply(Shard shard, JourneySession session, LoggedEvent le);
  }

  private final Shard[] shards;
  private final EngineStore store;
  private final IdentityRegistry identities;
  private final Function<String, Shard> shardOf;
  private final Applier applier;
  private final BooleanSupplier closed;
  private final CompletableFuture<Void> recovered;
  /** The log from here to {@link #last}, the last event logged before the start, is read again. */
  private final long from;
  private final long last;
  /** The clock at the start, which each shard's catch-up moves its session to. */
  private final long now;
  private final long started;
  private final List<BlockingQueue<List<Map.Entry<String, byte[]>>>> snapshots = new ArrayList<>();
  /** Marks the end of a shard's snapshots. */
  private final List<Map.Entry<String, byte[]>> end = List.of();
  /** Counted down by each shard once its journeys are back. */
  private final CountDownLatch restored;
  /** Each shard's logged events, once every journey is back; the loaders' failure otherwise. */
  private final CompletableFuture<List<List<LoggedEvent>>> events = new CompletableFuture<>();
  private final CompletableFuture<List<List<LoggedEvent>>> routed = new CompletableFuture<>();
  private final Thread journeys = new Thread(this::readJourneys, "nudge-restore-journeys");
  private final Thread log = new Thread(this::readLog, "nudge-restore-log");
  private volatile int journeysRead;
  private volatile int eventsRead;
  private volatile long lastReceived;
  private volatile long readMillis;
  private final LongAdder reapplied = new LongAdder();
  private final AtomicInteger behind;

  Recovery(Shard[] shards, EngineStore store, IdentityRegistry identities, Function<String, Shard> shardOf,
      Applier applier, BooleanSupplier closed, CompletableFuture<Void> recovered, long from, long last, long now,
      long started) {
    this.shards = shards;
    this.store = store;
    this.identities = identities;
    this.shardOf = shardOf;
    this.applier = applier;
    this.closed = closed;
    this.recovered = recovered;
    this.from = from;
    this.last = last;
    this.now = now;
    this.started = started;
    this.restored = new CountDownLatch(shards.length);
    this.behind = new AtomicInteger(shards.length);
    for (int i = 0; i < shards.length; i++) {
      snapshots.add(new LinkedBlockingQueue<>());
    }
    journeys.setDaemon(true);
    log.setDaemon(true);
  }

  /** Starts each shard with its part of the restore, then the two threads that read the store for them. */
  void start() {
    for (Shard shard : shards) {
      shard.start(session -> run(shard, session));
    }
    journeys.start();
    log.start();
  }

  private void readJourneys() {
    try {
      List<List<Map.Entry<String, byte[]>>> batches = new ArrayList<>(shards.length);
      for (int i = 0; i < shards.length; i++) {
        batches.add(new ArrayList<>(BATCH));
      }
      int[] n = new int[1];
      store.journeys().forEach((customerId, snapshot) -> {
        int shard = shardOf.apply(customerId).index();
        List<Map.Entry<String, byte[]>> batch = batches.get(shard);
        batch.add(Map.entry(customerId, snapshot));
        if (batch.size() == BATCH) {
          snapshots.get(shard).add(batch);
          batches.set(shard, new ArrayList<>(BATCH));
          stopIfClosed();
        }
        n[0]++;
      });
      journeysRead = n[0];
      for (int i = 0; i < shards.length; i++) {
        snapshots.get(i).add(batches.get(i));
        snapshots.get(i).add(end);
      }
      while (!restored.await(100, TimeUnit.MILLISECONDS)) {
        stopIfClosed();
        if (events.isDone()) {
          return; // a shard failed
        }
      }
      // a merge that a crash interrupted: fold what is still apart (absorbing twice changes nothing); the
      // shards wait for their events meanwhile
      for (Shard s : shards) {
        for (String customerId : s.session().customerIds()) {
          String owner = identities.customerOf(customerId).orElse(customerId);
          if (!owner.equals(customerId)) {
            byte[] snapshot = s.session().remove(customerId);
            shardOf.apply(owner).session().absorb(owner, customerId, snapshot);
          }
        }
      }
      List<List<LoggedEvent>> mine = routed.join();
      readMillis = (System.nanoTime() - started) / 1_000_000;
      events.complete(mine);
    } catch (RuntimeException | Error e) {
      fail(e);
    } catch (InterruptedException e) {
      fail(new Closing());
    }
  }

  private void readLog() {
    try {
      List<List<LoggedEvent>> byShard = new ArrayList<>(shards.length);
      for (int i = 0; i < shards.length; i++) {
        byShard.add(new ArrayList<>());
      }
      // each customer is looked up once, not once per event (per event, the lookups took 40 % of the
      // start-up thread's time after a load); a link made meanwhile is found again when the event is applied
      Map<String, String> owners = new java.util.HashMap<>();
      int[] n = new int[1];
      long[] received = {now};
      store.events().replay(from, last, logged -> {
        String owner = owners.computeIfAbsent(logged.customerId(), c -> identities.customerOf(c).orElse(c));
        LoggedEvent le = owner.equals(logged.customerId()) ? logged
            : new LoggedEvent(logged.sequence(), logged.receivedAt(), owner, logged.event());
        byShard.get(shardOf.apply(le.customerId()).index()).add(le);
        received[0] = le.receivedAt();
        if (++n[0] % 10_000 == 0) {
          stopIfClosed();
        }
      });
      eventsRead = n[0];
      lastReceived = received[0];
      routed.complete(byShard);
    } catch (RuntimeException | Error e) {
      routed.completeExceptionally(e);
      fail(e);
    }
  }

  /** Ends a loader's read once the engine closes, or once the restore failed elsewhere. */
  private void stopIfClosed() {
    if (closed.getAsBoolean() || events.isCompletedExceptionally()) {
      throw new Closing();
    }
  }

  private void fail(Throwable e) {
    if (!(e instanceof Closing)) {
      LOG.error("restoring the journeys and the event log failed; the shards apply nothing", e);
    }
    events.completeExceptionally(e);
    recovered.completeExceptionally(e);
  }

  /** Called by the engine's close: the store must not close under the threads that read it. */
  void awaitEnd(long millis) {
    try {
      journeys.join(millis);
      log.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * On a shard's own thread, before its first task: puts its journeys back, then its logged events
   * (put back, or applied), then steps the clock to now; false when it must stop there.
   */
  boolean run(Shard shard, JourneySession session) {
    try {
      BlockingQueue<List<Map.Entry<String, byte[]>>> mine = snapshots.get(shard.index());
      for (List<Map.Entry<String, byte[]>> batch = take(shard, mine); batch != end; batch = take(shard, mine)) {
        for (Map.Entry<String, byte[]> s : batch) {
          session.restore(s.getKey(), s.getValue());
        }
      }
      restored.countDown();
      List<LoggedEvent> logged = await(shard).get(shard.index());
      // the last minutes before the stop, not before now: a timer started then is decided at the restart
      long putBackAtOnceFrom = Math.min(now, lastReceived) - TIMERS_LOOK_BACK.toMillis();
      int skipped = replay(shard, logged, putBackAtOnceFrom);
      if (skipped > 0) {
        LOG.error("shard {}: {} logged events skipped at the restart, their customers' snapshots unreadable",
            shard.index(), skipped);
      }
      // second by second, so a rule that came due while Nudge was down fires at (about) its due
      // time, and the gate can tell how late it is
      for (long t = session.now() + 1_000; t < now; t += 1_000) {
        session.advanceTo(t);
        stopIfClosing(shard);
      }
      session.advanceTo(now);
      session.runRules(); // on the restored customers, also when the clock did not move
      shard.applied(last);
    } catch (RuntimeException | Error e) {
      // nothing more applied or saved: the log holds it all for the next start
      if (!(e instanceof Closing)) {
        LOG.error("shard {} could not catch up after the restart; it applies nothing more", shard.index(), e);
      }
      events.completeExceptionally(e);
      recovered.completeExceptionally(e);
      return false;
    }
    if (behind.decrementAndGet() == 0) {
      if (journeysRead > 0 || eventsRead > 0) {
        LOG.info("restored {} journeys and read {} logged events in {} ms; the shards caught up in {} ms more "
            + "({} applied again) up to sequence {}", journeysRead, eventsRead, readMillis,
            (System.nanoTime() - started) / 1_000_000 - readMillis, reapplied.sum(), last);
      }
      recovered.complete(null);
    }
    return true;
  }

  private List<Map.Entry<String, byte[]>> take(Shard shard,
      BlockingQueue<List<Map.Entry<String, byte[]>>> queue) {
    try {
      for (;;) {
        List<Map.Entry<String, byte[]>> batch = queue.poll(100, TimeUnit.MILLISECONDS);
        if (batch != null) {
          return batch;
        }
        stopIfClosing(shard);
        if (events.isCompletedExceptionally()) {
          events.join(); // throws the loaders' failure
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Closing();
    }
  }

  private List<List<LoggedEvent>> await(Shard shard) {
    try {
      for (;;) {
        try {
          return events.get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          stopIfClosing(shard);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Closing();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new NudgeException("restoring failed", e.getCause());
    }
  }

  /** The engine was closed while a shard was catching up after the start: it stops where it is. */
  private static final class Closing extends NudgeException {
    private static final long serialVersionUID = 1L;

    Closing() {
      super("closed while catching up after the start");
    }
  }

  private static void stopIfClosing(Shard shard) {
    if (shard.stopping()) {
      throw new Closing();
    }
  }

  /**
   * Puts back a shard's logged events after a restart: one its customer's snapshot holds already is
   * put back for the rules to look back at (if recent), one it does not hold is applied. An event whose
   * customer's snapshot cannot be read is skipped and logged, the others go on, as they do for a
   * dormant customer's event once the shards run.
   *
   * @return how many events were skipped
   */
  private int replay(Shard shard, List<LoggedEvent> events, long putBackAtOnceFrom) {
    JourneySession session = shard.session();
    int skipped = 0;
    int n = 0;
    for (LoggedEvent le : events) {
      if (++n % 1_000 == 0) {
        stopIfClosing(shard);
      }
      try {
        if (le.sequence() <= session.lastSequence(le.customerId())) {
          // the de-duplication window learns it again: a retry of it after the restart is still a repeat
          if (le.event().messageId() != null) {
            shard.firstSight(le.event().source(), le.event().messageId());
          }
          if (le.receivedAt() >= putBackAtOnceFrom) {
            session.reinsert(le.customerId(), le.event(), le.receivedAt(), le.sequence());
          } else if (le.receivedAt() >= now - ShardedEngine.RECENT_EVENTS.toMillis()) {
            session.reinsertWhenNeeded(le.customerId(), le.event(), le.receivedAt(), le.sequence());
          }
        } else {
          applier.apply(shard, session, le);
          reapplied.increment();
        }
      } catch (UncheckedIOException e) { // a stored record that cannot be read
        if (skipped++ == 0) {
          LOG.error("shard {} skipped the logged event {} at the restart", shard.index(), le.sequence(), e);
        }
      }
    }
    session.settle();
    return skipped;
  }
}
