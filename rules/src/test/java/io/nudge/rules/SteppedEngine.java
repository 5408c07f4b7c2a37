package io.nudge.rules;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.IdentityStore;
import io.nudge.engine.store.JourneyStore;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.store.Outbox;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The real engine ({@link NudgeEngine#start}, in memory, one shard) on a clock only the test moves, so
 * a run is the same every time: nothing is decided except while the shard works on what the test
 * handed it, and {@link #settle} returns only once the shard has caught up with the clock.
 */
final class SteppedEngine implements AutoCloseable {
  /** A visitor whose events only move the shard's rule clock: no rule looks at a bare track call. */
  private static final String SETTLER = "settler";
  private static final long WAIT_SECONDS = 30;
  /** A visit ends after this long without events. */
  static final Duration VISIT_TIMEOUT = Duration.ofMinutes(30);

  private final AtomicLong millis;
  private final NudgeEngine engine;
  private final ConsentDefault consentDefault;
  private final Queue<Decision> decided = new ConcurrentLinkedQueue<>();
  private final OrderedLog log;
  private long messages;

  private SteppedEngine(RulePack rules, ContactPolicy policy, ConsentDefault consentDefault, Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
    this.consentDefault = consentDefault;
    EngineSettings settings = EngineSettings.defaults()
        .withShards(1)
        .withPolicy(policy)
        .withConsentDefault(consentDefault)
        .withSessionTimeout(VISIT_TIMEOUT)
        .withClock(() -> Instant.ofEpochMilli(millis.get()))
        .withTick(Duration.ofMillis(20));
    MemoryStore memory = new MemoryStore(settings.clock());
    this.log = new OrderedLog(memory.events());
    this.engine = NudgeEngine.start(settings, rules, decided::add, new Store(memory, log));
    settle(); // the settler is known from now on: a read of their journey waits for the shard
  }

  static SteppedEngine start(RulePack rules, ContactPolicy policy, ConsentDefault consentDefault, Instant start) {
    return new SteppedEngine(rules, policy, consentDefault, start);
  }

  NudgeEngine engine() {
    return engine;
  }

  ConsentDefault consentDefault() {
    return consentDefault;
  }

  long now() {
    return millis.get();
  }

  void advance(long byMillis) {
    millis.addAndGet(byMillis);
  }

  /** Moves the clock to {@code epochMillis} unless it is already later. */
  void advanceTo(long epochMillis) {
    millis.accumulateAndGet(epochMillis, Math::max);
  }

  String nextMessageId() {
    return "pm" + (++messages);
  }

  /**
   * Waits until the shard has moved its rule clock to the engine clock and decided whatever that made
   * due (idle timers, arbitration windows), and has run everything queued before. An event rather than a
   * {@link NudgeEngine#journey} read: a read queued behind other work may run without the shard moving
   * its clock first, while applying an event always moves it.
   */
  void settle() {
    apply(new Event(nextMessageId(), "settle", Event.EventType.TRACK, SETTLER, null, null, "Settle", Map.of(),
        Map.of(), Instant.ofEpochMilli(now()), Event.EventContext.EMPTY));
  }

  /** Submits one event and waits until the shard has applied it and run the rules. */
  void apply(Event event) {
    await(engine.submit(List.of(event), NudgeEngine.Ack.APPLIED));
  }

  /**
   * Submits an event that may merge a device's customer into the user's, and returns the decisions the
   * merge made before the event was applied. The engine queues the merge's first step on the shard (take
   * the device's customer out) before it logs the event, and that step queues the second (fold it into
   * the user's, which runs the rules); whether the fold runs before or after the event depends on which
   * thread is faster, and changes the visit the event belongs to. Here the log waits until the shard has
   * run both steps before it logs the event, so the fold always comes first.
   */
  List<Decision> applyMerging(Event event) {
    List<Decision> beforeEvent = new ArrayList<>();
    log.beforeAppend = () -> {
      await(engine.journey(SETTLER)); // queued behind the first step, which queues the second
      await(engine.journey(SETTLER)); // queued behind the second
      beforeEvent.addAll(drain());
    };
    try {
      apply(event);
    } finally {
      log.beforeAppend = null;
    }
    return beforeEvent;
  }

  /** Lets every idle timer and arbitration window run out, and forgets what that decided. */
  void runOut() {
    advance(Duration.ofMinutes(2).toMillis());
    settle();
    advance(Duration.ofSeconds(5).toMillis());
    settle();
    drain();
  }

  /** The decisions made since the last call, in the order the shard made them. */
  List<Decision> drain() {
    List<Decision> out = new ArrayList<>();
    for (Decision d = decided.poll(); d != null; d = decided.poll()) {
      out.add(d);
    }
    return out;
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the engine did not answer within " + WAIT_SECONDS + " s", e);
    } catch (ExecutionException e) {
      throw new AssertionError("the engine failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the engine", e);
    }
  }

  @Override
  public void close() {
    engine.close();
  }

  /** The engine's memory event log, which can first wait for something before it logs. */
  private static final class OrderedLog implements EventLog {
    private final EventLog log;
    volatile Runnable beforeAppend;

    OrderedLog(EventLog log) {
      this.log = log;
    }

    @Override
    public CompletableFuture<List<LoggedEvent>> append(List<Entry> entries, Consumer<List<LoggedEvent>> onDurable) {
      Runnable before = beforeAppend;
      if (before != null) {
        before.run();
      }
      return log.append(entries, onDurable);
    }

    @Override
    public void replay(long from, Consumer<LoggedEvent> consumer) {
      log.replay(from, consumer);
    }

    @Override
    public long firstSequenceAtOrAfter(long epochMillis) {
      return log.firstSequenceAtOrAfter(epochMillis);
    }

    @Override
    public long lastSequence() {
      return log.lastSequence();
    }

    @Override
    public void trim(long epochMillis, long keepFrom) {
      log.trim(epochMillis, keepFrom);
    }

    @Override
    public int erase(Predicate<LoggedEvent> which) {
      return log.erase(which);
    }

    @Override
    public void close() {
      log.close();
    }
  }

  /** The engine's memory store with {@link OrderedLog} for its event log. */
  private record Store(MemoryStore memory, OrderedLog log) implements EngineStore {
    @Override
    public EventLog events() {
      return log;
    }

    @Override
    public JourneyStore journeys() {
      return memory.journeys();
    }

    @Override
    public ConsentStore consent() {
      return memory.consent();
    }

    @Override
    public IdentityStore identities() {
      return memory.identities();
    }

    @Override
    public DecisionLog decisions() {
      return memory.decisions();
    }

    @Override
    public Outbox outbox() {
      return memory.outbox();
    }

    @Override
    public TimelineStore timeline() {
      return memory.timeline();
    }

    @Override
    public boolean isEphemeral() {
      return true;
    }

    @Override
    public void close() {
      memory.close();
    }
  }
}
