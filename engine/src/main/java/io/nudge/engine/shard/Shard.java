package io.nudge.engine.shard;

import io.nudge.engine.journey.JourneySession;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns one {@link JourneySession}: it takes tasks from a bounded queue and, between
 * tasks and at least once per tick, moves the session's rule clock to the engine clock so timers fire
 * on time. Nothing else touches the session. A Kafka partition can feed a shard in the same way.
 */
final class Shard {
  private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
  private static final int DRAIN_LIMIT = 512;

  private final int index;
  private final ArrayBlockingQueue<Consumer<JourneySession>> queue;
  private final JourneySession session;
  private final InstantSource clock;
  private final long tickMillis;
  private final Thread thread;
  private final SeenMessages seen;
  private volatile boolean running = true;

  Shard(int index, int capacity, JourneySession session, InstantSource clock, long tickMillis, int dedupeWindow) {
    this.index = index;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.session = session;
    this.clock = clock;
    this.tickMillis = tickMillis;
    this.seen = new SeenMessages(dedupeWindow);
    this.thread = new Thread(this::loop, "nudge-shard-" + index);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  int index() {
    return index;
  }

  int queued() {
    return queue.size();
  }

  int capacity() {
    return queue.size() + queue.remainingCapacity();
  }

  /** Queues a task for the shard's thread; false when the queue is full or the shard stopped. */
  boolean offer(Consumer<JourneySession> task) {
    return running && queue.offer(task);
  }

  /** True the first time a source's message id is seen within the dedupe window; shard thread only. */
  boolean firstSight(String source, String messageId) {
    return seen.add(source + '\u0000' + messageId);
  }

  private void loop() {
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
    }
    // tasks queued while the loop was ending still run, so no caller waits for ever
    for (Consumer<JourneySession> task = queue.poll(); task != null; task = queue.poll()) {
      run(task);
    }
    session.close();
  }

  /** Moves the rule clock; a failure here must not cost the task that woke the shard. */
  private void tick() {
    try {
      session.advanceTo(clock.millis());
    } catch (RuntimeException e) {
      LOG.error("shard {} tick failed", index, e);
    }
  }

  private void run(Consumer<JourneySession> task) {
    try {
      task.accept(session);
    } catch (RuntimeException e) {
      LOG.error("shard {} task failed", index, e);
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
