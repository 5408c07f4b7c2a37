package io.nudge.engine.shard;

import io.nudge.engine.EngineMetrics;
import io.nudge.engine.privacy.MemoryOnly;

import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.JourneyStore;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns one {@link JourneySession}: it takes tasks from its queue and, between tasks
 * and at least once per tick, moves the session's rule clock to the engine clock so timers fire on
 * time. Nothing else touches the session. A Kafka partition can feed a shard in the same way.
 *
 * <p>Every {@value #FLUSH_MILLIS} ms it starts a save round of the journeys that changed: it saves them
 * {@value #SAVE_CHUNK} at a time between tasks, so events do not wait behind a save of thousands, and
 * with the last of them its checkpoint: the log sequence up to which all its events are in the saved
 * snapshots. A journey that changed many times in that while is encoded once.
 */
final class Shard {
  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
  /** Tasks run between two ticks and saves; a task may be a whole batch of a shard's events. */
  private static final int DRAIN_LIMIT = 64;
  static final long FLUSH_MILLIS = 2_000;
  /** Journeys encoded and saved at most between two passes over the queue, while a round is under way. */
  static final int SAVE_CHUNK = 1_000;

  private final int index;
  private final int capacity;
  private final LinkedBlockingQueue<Consumer<JourneySession>> queue = new LinkedBlockingQueue<>();
  /** Replaced only on the shard's own thread, by {@link #replaceSession}; read by that thread. */
  private volatile JourneySession session;
  private final InstantSource clock;
  private final long tickMillis;
  private final Thread thread;
  private final SeenMessages seen;
  private final JourneyStore journeys;
  private final LongSupplier dispatched;
  private final EngineMetrics metrics;
  /** Counts rule firings; added to every session this shard runs, the ones swapped in too. */
  private final DefaultAgendaEventListener firings;
  private volatile boolean running = true;
  /**
   * False on a cluster node for a shard whose Kafka partition another node owns: it saves nothing, so
   * it never writes a checkpoint over the owner's. Always true when the engine runs alone.
   */
  private volatile boolean owned = true;
  private long applied;
  /** The checkpoint last saved; a chunk that is not a round's last saves it again, unchanged. */
  private long savedCheckpoint;
  private long lastFlush;
  /** Customers of the save round under way still to save; empty when no round is under way. */
  private final java.util.LinkedHashSet<String> round = new java.util.LinkedHashSet<>();
  /** The checkpoint the round under way saves with its last chunk: every event applied when it began. */
  private long roundCheckpoint = -1;
  /** What the thread does before its first task: a restart's catch-up, see {@link #start(Consumer)}. */
  private java.util.function.Predicate<JourneySession> first;

  Shard(int index, int capacity, JourneySession session, InstantSource clock, long tickMillis, int dedupeWindow,
      JourneyStore journeys, LongSupplier dispatched, EngineMetrics metrics) {
    this.index = index;
    this.capacity = capacity;
    this.session = session;
    this.clock = clock;
    this.tickMillis = tickMillis;
    this.seen = new SeenMessages(dedupeWindow);
    this.journeys = journeys;
    this.savedCheckpoint = journeys.checkpoint(); // a restart resets every shard's to this one
    this.dispatched = dispatched;
    this.metrics = metrics;
    this.firings = new DefaultAgendaEventListener() {
      @Override
      public void afterMatchFired(AfterMatchFiredEvent event) {
        metrics.ruleFired(event.getMatch().getRule().getName());
      }
    };
    if (metrics != EngineMetrics.NONE) {
      session.addAgendaListener(firings);
    }
    session.deferRules(true);
    this.thread = new Thread(this::loop, "nudge-shard-" + index);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Starts the thread; {@code first} runs on it before any queued task, and before the clock moves.
   * When it returns false the shard ends there: it runs no task and saves nothing, so everything it
   * had not saved is still only in the event log, for the next start.
   */
  void start(java.util.function.Predicate<JourneySession> first) {
    this.first = first;
    thread.start();
  }

  /** True once {@link #stop} was called. */
  boolean stopping() {
    return !running;
  }

  int index() {
    return index;
  }

  int queued() {
    return queue.size();
  }

  int capacity() {
    return capacity;
  }

  /** True when the queue has room for {@code more} events; checked before events are logged. */
  boolean hasRoom(int more) {
    return queue.size() + more <= capacity;
  }

  /** Queues a task; logged events are always queued (they are already acknowledged). */
  void enqueue(Consumer<JourneySession> task) {
    queue.add(task);
  }

  /**
   * Swaps in a session running other rules; the shard's thread only (from a task). The old session's
   * changes not saved yet are saved first; the new one holds the same customers.
   */
  void replaceSession(JourneySession next) {
    flush(true);
    JourneySession old = session;
    if (metrics != EngineMetrics.NONE) {
      next.addAgendaListener(firings);
    }
    next.deferRules(true);
    session = next;
    old.close();
  }

  /** The session, for restoring before the thread starts; the shard's thread only after that. */
  JourneySession session() {
    return session;
  }

  boolean owned() {
    return owned;
  }

  /**
   * Takes the shard over from {@code checkpoint} (its journeys restored up to there); shard thread only.
   * What it applies from now on is saved, with checkpoints from this one up.
   */
  void own(long checkpoint) {
    round.clear();
    roundCheckpoint = -1;
    applied = checkpoint;
    savedCheckpoint = checkpoint;
    owned = true;
  }

  /**
   * Saves what changed, then stops saving: another node takes the shard over from this checkpoint;
   * shard thread only. {@code empty} replaces the session, so no journey of the shard stays here.
   */
  void disown(JourneySession empty) {
    session.decideAllWaiting(); // the next owner restores the offers, never these asks
    flush(true);
    owned = false;
    replaceSession(empty);
  }

  /** Forgets the shard's journeys without saving them: another node owns it already; shard thread only. */
  void drop(JourneySession empty) {
    owned = false;
    replaceSession(empty);
  }

  /** Starts a cluster node's shard as owned by none yet, before its thread starts. */
  void disownAtStart() {
    owned = false;
  }

  /** Saves the journeys changed (and removed) so far now, not at the next flush; shard thread only. */
  void saveNow() {
    flush(true);
  }

  /**
   * Reports that this shard applied one event, started at {@code startNanos}, once the rules have run
   * on it (before anything waiting for the event hears of it); shard thread only.
   */
  void processed(long startNanos) {
    if (metrics != EngineMetrics.NONE) {
      session.whenRulesRan(() -> metrics.eventProcessed(index, System.nanoTime() - startNanos));
    }
  }

  /** Records that the event with this log sequence is applied; shard thread only. */
  void applied(long sequence) {
    applied = Math.max(applied, sequence);
  }

  /** True the first time a source's message id is seen within the dedupe window; shard thread only. */
  boolean firstSight(String source, String messageId) {
    return seen.add(source + '\u0000' + messageId);
  }

  private void loop() {
    if (first != null) {
      boolean goOn = first.test(session);
      first = null;
      if (!goOn) {
        session.close();
        return;
      }
    }
    while (running || !queue.isEmpty()) {
      Consumer<JourneySession> task;
      try {
        task = queue.poll(tickMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      tick();
      for (int n = 0; task != null && n < DRAIN_LIMIT; n++) {
        run(task);
        task = queue.poll();
      }
      if (task != null) {
        run(task);
      }
      settle();
      flush(false);
    }
    // tasks queued while the loop was ending still run, so no caller waits for ever
    for (Consumer<JourneySession> task = queue.poll(); task != null; task = queue.poll()) {
      run(task);
    }
    try {
      session.decideAllWaiting(); // before the last save: a restart restores the offers, never these asks
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      LOG.error("shard {} rules failed", index, e);
    }
    flush(true);
    session.close();
  }

  /** Moves the rule clock; a failure here must not cost the task that woke the shard. */
  private void tick() {
    try {
      session.advanceTo(clock.millis());
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      LOG.error("shard {} tick failed", index, e);
    }
  }

  /** Runs the rules once on the events the tasks of this pass applied; see {@link JourneySession#deferRules}. */
  private void settle() {
    try {
      session.settle();
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      LOG.error("shard {} rules failed", index, e);
    }
  }

  private void run(Consumer<JourneySession> task) {
    try {
      task.accept(session);
    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
      // whatever one task breaks, the shard goes on: a dead shard thread would hang its customers
      LOG.error("shard {} task failed", index, e);
    }
  }

  /**
   * Saves changed journeys: a chunk of the round under way, or, when {@value #FLUSH_MILLIS} ms have
   * passed, the first chunk of a new round; {@code force} saves everything changed so far, now.
   */
  private void flush(boolean force) {
    if (!owned) {
      session.takeChangedIds(); // memory-only visitors' changes: never saved
      return;
    }
    long now = System.nanoTime() / 1_000_000;
    if (!force && roundCheckpoint < 0 && now - lastFlush < FLUSH_MILLIS) {
      return;
    }
    if (roundCheckpoint < 0 || force) {
      // read what was dispatched before looking at the queue: if it is empty now, all of that is applied
      long dispatchedSoFar = dispatched.getAsLong();
      roundCheckpoint = queue.isEmpty() ? Math.max(applied, dispatchedSoFar) : applied;
      for (String id : session.takeChangedIds()) {
        if (!MemoryOnly.is(id)) { // their journeys never touch the disk
          round.add(id);
        }
      }
    }
    Map<String, byte[]> chunk = new java.util.HashMap<>();
    for (java.util.Iterator<String> it = round.iterator(); it.hasNext() && (force || chunk.size() < SAVE_CHUNK); ) {
      String id = it.next();
      it.remove();
      chunk.put(id, session.snapshotOrNull(id));
    }
    boolean last = round.isEmpty();
    long checkpoint = last ? roundCheckpoint : savedCheckpoint;
    try {
      if (!chunk.isEmpty() || checkpoint != savedCheckpoint) {
        long started = System.nanoTime();
        journeys.save(index, checkpoint, chunk);
        metrics.journeysSaved(index, chunk.size(), System.nanoTime() - started);
        savedCheckpoint = checkpoint;
      }
      if (last) {
        roundCheckpoint = -1;
        lastFlush = now;
      }
    } catch (RuntimeException e) {
      round.addAll(chunk.keySet()); // saved later in this round; the checkpoint did not move past them
      LOG.error("shard {} could not save journeys; the event log still holds their events", index, e);
    }
  }

  /** Stops taking tasks, finishes those queued, and waits up to {@code waitMillis} for the thread. */
  void stop(long waitMillis) {
    running = false;
    try {
      thread.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A bounded set of recently seen message ids, oldest forgotten first. */
  private static final class SeenMessages extends LinkedHashMap<String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final int limit;

    SeenMessages(int limit) {
      super(Math.min(limit, 1 << 16), 0.75f, false);
      this.limit = limit;
    }

    boolean add(String key) {
      return limit == 0 || putIfAbsent(key, Boolean.TRUE) == null;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > limit;
    }
  }
}
