package io.nudge.engine.store;

import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.decision.MemoryDecisionLog;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps everything in memory and nothing across restarts: for tests and tools. The event log keeps
 * no events; it only numbers and times them.
 */
public final class MemoryStore implements EngineStore {
  private final MemoryLog events;
  private final ConsentStore consent = new MemoryConsentStore();
  private final DecisionLog decisions = new MemoryDecisionLog(1000);
  private final Outbox outbox = new MemoryOutbox();
  private final TimelineStore timeline = new MemoryTimeline();

  public MemoryStore(InstantSource clock) {
    this.events = new MemoryLog(clock);
  }

  @Override
  public EventLog events() {
    return events;
  }

  @Override
  public JourneyStore journeys() {
    return NO_JOURNEYS;
  }

  @Override
  public ConsentStore consent() {
    return consent;
  }

  @Override
  public IdentityStore identities() {
    return NO_IDENTITIES;
  }

  @Override
  public DecisionLog decisions() {
    return decisions;
  }

  @Override
  public Outbox outbox() {
    return outbox;
  }

  @Override
  public TimelineStore timeline() {
    return timeline;
  }

  @Override
  public boolean isEphemeral() {
    return true;
  }

  @Override
  public void close() {}

  private static final JourneyStore NO_JOURNEYS = new JourneyStore() {
    @Override
    public void save(int shard, long checkpoint, Map<String, byte[]> snapshots) {}

    @Override
    public long checkpoint() {
      return 0;
    }

    @Override
    public void resetCheckpoints(int shards, long checkpoint) {}

    @Override
    public void forEach(BiConsumer<String, byte[]> consumer) {}
  };

  private static final IdentityStore NO_IDENTITIES = new IdentityStore() {
    @Override
    public void link(String idKey, String customerId) {}

    @Override
    public void unlink(String idKey) {}

    @Override
    public void forEach(BiConsumer<String, String> consumer) {}
  };

  private static final class MemoryLog implements EventLog {
    private final InstantSource clock;
    private long sequence;
    private long lastTime;

    MemoryLog(InstantSource clock) {
      this.clock = clock;
    }

    @Override
    public synchronized CompletableFuture<List<LoggedEvent>> append(
        List<Entry> entries, Consumer<List<LoggedEvent>> onDurable) {
      lastTime = Math.max(lastTime, clock.millis());
      List<LoggedEvent> logged = new ArrayList<>(entries.size());
      for (Entry e : entries) {
        logged.add(new LoggedEvent(++sequence, lastTime, e.customerId(), e.event()));
      }
      onDurable.accept(logged);
      return CompletableFuture.completedFuture(logged);
    }

    @Override
    public void replay(long from, Consumer<LoggedEvent> consumer) {}

    @Override
    public synchronized long firstSequenceAtOrAfter(long epochMillis) {
      return sequence + 1;
    }

    @Override
    public synchronized long lastSequence() {
      return sequence;
    }

    @Override
    public void trim(long epochMillis, long keepFrom) {}

    @Override
    public int erase(java.util.function.Predicate<LoggedEvent> which) {
      return 0; // keeps no events
    }

    @Override
    public void close() {}
  }
}
