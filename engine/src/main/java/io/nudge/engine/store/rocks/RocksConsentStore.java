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

/** Consent choices keyed by customer id. A newer choice for a purpose replaces an older one. */
final class RocksConsentStore implements ConsentStore {
  private final RocksDB db;
  private final ColumnFamilyHandle consent;
  private final WriteOptions write;
  private final Object[] stripes = new Object[64];

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
      }
    }
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    return Map.copyOf(state(customerId).current());
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
