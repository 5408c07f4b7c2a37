package io.nudge.engine.store.rocks;

import io.nudge.engine.store.Binary;
import io.nudge.engine.store.TimelineStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/** Timelines keyed by customer id and log sequence, so one customer's entries read back in order. */
final class RocksTimeline implements TimelineStore {
  private final RocksDB db;
  private final ColumnFamilyHandle timeline;
  private final WriteOptions write;

  RocksTimeline(RocksDB db, ColumnFamilyHandle timeline, WriteOptions write) {
    this.db = db;
    this.timeline = timeline;
    this.write = write;
  }

  @Override
  public void append(String customerId, Entry entry) {
    byte[] value = Binary.write(w -> {
      w.number(entry.at());
      w.text(entry.kind());
      w.text(entry.title());
      w.value(entry.details());
    });
    try {
      db.put(timeline, write, key(customerId, entry.sequence()), value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of a timeline entry", e);
    }
  }

  @Override
  public void forEach(java.util.function.BiConsumer<String, Entry> consumer) {
    try (RocksIterator it = db.newIterator(timeline)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        int nul = key.length - 9;
        String customer = new String(key, 0, nul, StandardCharsets.UTF_8);
        long sequence = ByteBuffer.wrap(key, nul + 1, 8).getLong();
        consumer.accept(customer, Binary.read(it.value(), r -> new Entry(sequence, r.number(), r.text(), r.text(),
            r.map())));
      }
    }
  }

  @Override
  public List<Entry> newestFirst(String customerId, long beforeSequence, int limit) {
    byte[] prefix = prefix(customerId);
    List<Entry> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(timeline)) {
      it.seekForPrev(key(customerId, Math.max(0, beforeSequence - 1)));
      for (; it.isValid() && out.size() < limit && RocksJourneyStore.startsWith(it.key(), prefix); it.prev()) {
        long sequence = ByteBuffer.wrap(it.key(), prefix.length, 8).getLong();
        out.add(Binary.read(it.value(), r -> new Entry(sequence, r.number(), r.text(), r.text(), r.map())));
      }
    }
    return out;
  }

  @Override
  public int erase(String customerId) {
    byte[] prefix = prefix(customerId);
    int erased = 0;
    try (RocksIterator it = db.newIterator(timeline); org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
      for (it.seek(prefix); it.isValid() && RocksJourneyStore.startsWith(it.key(), prefix); it.next()) {
        batch.delete(timeline, it.key());
        erased++;
      }
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("erasure of a timeline", e);
    }
    return erased;
  }

  private static byte[] prefix(String customerId) {
    return (customerId + '\u0000').getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(String customerId, long sequence) {
    byte[] p = prefix(customerId);
    return ByteBuffer.allocate(p.length + 8).put(p).putLong(sequence).array();
  }
}
