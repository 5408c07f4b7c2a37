package io.nudge.engine.store.rocks;

import io.nudge.engine.NudgeException;
import io.nudge.engine.store.EventCodec;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.LoggedEvent;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log in RocksDB, keyed by sequence. One committer thread takes every append waiting, writes
 * them in one batch with {@code sync} (group commit: one fsync for many requests, so throughput does
 * not collapse under durable acknowledgement), then hands them on in log order.
 */
final class RocksEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(RocksEventLog.class);
  private static final int MAX_GROUP_EVENTS = 20_000;

  private record Append(List<Entry> entries, Consumer<List<LoggedEvent>> onDurable,
      CompletableFuture<List<LoggedEvent>> done) {}

  private final RocksDB db;
  private final ColumnFamilyHandle events;
  private final InstantSource clock;
  private final WriteOptions sync = new WriteOptions().setSync(true);
  private final LinkedBlockingQueue<Append> waiting = new LinkedBlockingQueue<>();
  private final Thread committer;
  private volatile boolean open = true;
  private volatile long lastSequence;
  private long lastTime;

  RocksEventLog(RocksDB db, ColumnFamilyHandle events, InstantSource clock) {
    this.db = db;
    this.events = events;
    this.clock = clock;
    try (RocksIterator it = db.newIterator(events)) {
      it.seekToLast();
      if (it.isValid()) {
        lastSequence = sequenceOf(it.key());
        lastTime = EventCodec.decode(lastSequence, it.value()).receivedAt();
      }
    }
    committer = new Thread(this::commitLoop, "nudge-event-log");
    committer.setDaemon(true);
    committer.start();
  }

  @Override
  public CompletableFuture<List<LoggedEvent>> append(List<Entry> entries, Consumer<List<LoggedEvent>> onDurable) {
    CompletableFuture<List<LoggedEvent>> done = new CompletableFuture<>();
    if (!open) {
      done.completeExceptionally(new NudgeException("the event log is closed"));
      return done;
    }
    waiting.add(new Append(List.copyOf(entries), onDurable, done));
    return done;
  }

  private void commitLoop() {
    List<Append> group = new ArrayList<>();
    while (open || !waiting.isEmpty()) {
      try {
        Append first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        int events = first.entries().size();
        while (events < MAX_GROUP_EVENTS) {
          Append next = waiting.poll();
          if (next == null) {
            break;
          }
          group.add(next);
          events += next.entries().size();
        }
        commit(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        group.clear();
      }
    }
  }

  private void commit(List<Append> group) {
    long time = Math.max(lastTime, clock.millis());
    long next = lastSequence;
    List<List<LoggedEvent>> logged = new ArrayList<>(group.size());
    try (WriteBatch batch = new WriteBatch()) {
      for (Append a : group) {
        List<LoggedEvent> these = new ArrayList<>(a.entries().size());
        for (Entry e : a.entries()) {
          LoggedEvent le = new LoggedEvent(++next, time, e.customerId(), e.event());
          batch.put(events, key(le.sequence()), EventCodec.encode(le));
          these.add(le);
        }
        logged.add(these);
      }
      db.write(sync, batch);
    } catch (RocksDBException | RuntimeException e) {
      LOG.error("event log write of {} appends failed", group.size(), e);
      NudgeException failure = new NudgeException("the event log could not write: " + e.getMessage(), e);
      group.forEach(a -> a.done().completeExceptionally(failure));
      return;
    }
    lastSequence = next;
    lastTime = time;
    for (int i = 0; i < group.size(); i++) {
      Append a = group.get(i);
      try {
        a.onDurable().accept(logged.get(i));
        a.done().complete(logged.get(i));
      } catch (RuntimeException e) {
        LOG.error("handing on logged events failed", e);
        a.done().completeExceptionally(e);
      }
    }
  }

  @Override
  public void replay(long from, Consumer<LoggedEvent> consumer) {
    replay(from, Long.MAX_VALUE, consumer);
  }

  @Override
  public void replay(long from, long to, Consumer<LoggedEvent> consumer) {
    try (RocksIterator it = db.newIterator(events)) {
      for (it.seek(key(Math.max(1, from))); it.isValid(); it.next()) {
        long sequence = sequenceOf(it.key());
        if (sequence > to) {
          return;
        }
        consumer.accept(EventCodec.decode(sequence, it.value()));
      }
    }
  }

  @Override
  public java.util.OptionalLong firstReceivedAt(long from) {
    try (RocksIterator it = db.newIterator(events)) {
      it.seek(key(Math.max(1, from)));
      return it.isValid() ? java.util.OptionalLong.of(receivedAtOf(it.value())) : java.util.OptionalLong.empty();
    }
  }

  @Override
  public long firstSequenceAtOrAfter(long epochMillis) {
    long low = firstSequence();
    long high = lastSequence;
    if (low == 0 || low > high) {
      return high + 1;
    }
    // receipt times never decrease with the sequence: binary search
    long answer = high + 1;
    while (low <= high) {
      long mid = (low + high) >>> 1;
      long time = timeOf(mid);
      if (time >= epochMillis) {
        answer = mid;
        high = mid - 1;
      } else {
        low = mid + 1;
      }
    }
    return answer;
  }

  private long firstSequence() {
    try (RocksIterator it = db.newIterator(events)) {
      it.seekToFirst();
      return it.isValid() ? sequenceOf(it.key()) : 0;
    }
  }

  /** The receipt time in an encoded event: after {@link EventCodec}'s version. */
  private static long receivedAtOf(byte[] value) {
    return ByteBuffer.wrap(value, 4, 8).getLong();
  }

  private long timeOf(long sequence) {
    try {
      byte[] value = db.get(events, key(sequence));
      return value == null ? Long.MIN_VALUE : receivedAtOf(value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("read of event " + sequence, e);
    }
  }

  @Override
  public long lastSequence() {
    return lastSequence;
  }

  @Override
  public void trim(long epochMillis, long keepFrom) {
    long first = firstSequence();
    long end = Math.min(keepFrom, firstSequenceAtOrAfter(epochMillis));
    if (first == 0 || end <= first) {
      return;
    }
    try {
      db.deleteRange(events, key(first), key(end));
    } catch (RocksDBException e) {
      throw RocksStore.failure("trim of the event log", e);
    }
  }

  @Override
  public int erase(java.util.function.Predicate<LoggedEvent> which) {
    int erased = 0;
    try (RocksIterator it = db.newIterator(events); WriteBatch batch = new WriteBatch()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (which.test(EventCodec.decode(sequenceOf(it.key()), it.value()))) {
          batch.delete(events, it.key());
          erased++;
        }
      }
      db.write(sync, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("erasure in the event log", e);
    }
    return erased;
  }

  @Override
  public void close() {
    open = false;
    try {
      committer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sync.close();
  }

  static byte[] key(long sequence) {
    return ByteBuffer.allocate(8).putLong(sequence).array();
  }

  static long sequenceOf(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }
}
