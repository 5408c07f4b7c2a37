package io.nudge.engine.store.rocks;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.store.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * Consent choices keyed by customer id. A newer choice for a purpose replaces an older one.
 *
 * <p>Current choices are kept in memory as last read, for up to {@value #CACHED} customers (about 400
 * bytes each): every event is routed by its customer's analytics choice and compared with their
 * choices, and reading and decoding them from disk each time was a fifth of the event loop's time under
 * load. A write drops its
 * customer's entry once made; the drop waits for a read of that customer under way, so no entry
 * outlives a change.
 */
final class RocksConsentStore implements ConsentStore {
  static final int CACHED = 50_000;
  private final RocksDB db;
  private final ColumnFamilyHandle consent;
  private final WriteOptions write;
  private final Object[] stripes = new Object[64];
  private final Map<String, Map<Purpose, ConsentRecord>> cached = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.locks.ReentrantLock trimming = new java.util.concurrent.locks.ReentrantLock();

  RocksConsentStore(RocksDB db, ColumnFamilyHandle consent, WriteOptions write) {
    this.db = db;
    this.consent = consent;
    this.write = write;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  @Override
  public void record(String customerId, ConsentRecord choice) {
    synchronized (stripes[Math.floorMod(customerId.hashCode(), stripes.length)]) {
      RecordCodec.ConsentState state = state(customerId);
      Map<Purpose, ConsentRecord> current = new EnumMap<>(Purpose.class);
      current.putAll(state.current());
      ConsentRecord old = current.get(choice.purpose());
      if (old != null && old.at().isAfter(choice.at())) {
        return; // a newer choice is already recorded
      }
      current.put(choice.purpose(), choice);
      List<ConsentRecord> history = new ArrayList<>(state.history());
      history.add(choice);
      if (history.size() > HISTORY_KEPT) {
        history.remove(0);
      }
      try {
        db.put(consent, write, key(customerId), RecordCodec.consent(new RecordCodec.ConsentState(current, history)));
      } catch (RocksDBException e) {
        throw RocksStore.failure("write of consent", e);
      } finally {
        cached.remove(customerId);
      }
    }
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    Map<Purpose, ConsentRecord> choices = cached.get(customerId);
    if (choices == null) {
      choices = cached.computeIfAbsent(customerId, c -> Map.copyOf(state(c).current()));
      if (cached.size() > CACHED) {
        trim();
      }
    }
    return choices;
  }

  /** Drops a quarter of the cached customers, in no particular order. */
  private void trim() {
    if (!trimming.tryLock()) {
      return; // another thread is at it
    }
    try {
      int drop = cached.size() - CACHED * 3 / 4;
      for (java.util.Iterator<String> it = cached.keySet().iterator(); it.hasNext() && drop > 0; drop--) {
        it.next();
        it.remove();
      }
    } finally {
      trimming.unlock();
    }
  }

  @Override
  public List<ConsentRecord> history(String customerId) {
    return List.copyOf(state(customerId).history());
  }

  @Override
  public int erase(String customerId) {
    synchronized (stripes[Math.floorMod(customerId.hashCode(), stripes.length)]) {
      int choices = state(customerId).history().size();
      try {
        db.delete(consent, write, key(customerId));
      } catch (RocksDBException e) {
        throw RocksStore.failure("erasure of consent", e);
      } finally {
        cached.remove(customerId);
      }
      return choices;
    }
  }

  private RecordCodec.ConsentState state(String customerId) {
    try {
      byte[] value = db.get(consent, key(customerId));
      return value == null ? new RecordCodec.ConsentState(Map.of(), List.of()) : RecordCodec.consent(value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("read of consent", e);
    }
  }

  private static byte[] key(String customerId) {
    return customerId.getBytes(StandardCharsets.UTF_8);
  }
}
