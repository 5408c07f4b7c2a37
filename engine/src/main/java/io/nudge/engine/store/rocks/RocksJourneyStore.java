package io.nudge.engine.store.rocks;

import io.nudge.engine.store.JourneyStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** Journey snapshots keyed by customer id; shard checkpoints in the meta family. */
final class RocksJourneyStore implements JourneyStore {
  private static final String CHECKPOINT = "checkpoint/";

  private final RocksDB db;
  private final ColumnFamilyHandle journeys;
  private final ColumnFamilyHandle meta;
  private final WriteOptions write;

  RocksJourneyStore(RocksDB db, ColumnFamilyHandle journeys, ColumnFamilyHandle meta, WriteOptions write) {
    this.db = db;
    this.journeys = journeys;
    this.meta = meta;
    this.write = write;
  }

  @Override
  public void save(int shard, long checkpoint, Map<String, byte[]> snapshots) {
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<String, byte[]> s : snapshots.entrySet()) {
        byte[] key = s.getKey().getBytes(StandardCharsets.UTF_8);
        if (s.getValue() == null) {
          batch.delete(journeys, key); // merged into another customer
        } else {
          batch.put(journeys, key, s.getValue());
        }
      }
      batch.put(meta, checkpointKey(shard), ByteBuffer.allocate(8).putLong(checkpoint).array());
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("save of " + snapshots.size() + " journeys", e);
    }
  }

  @Override
  public long checkpoint() {
    long lowest = Long.MAX_VALUE;
    byte[] prefix = CHECKPOINT.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator(meta)) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        lowest = Math.min(lowest, ByteBuffer.wrap(it.value()).getLong());
      }
    }
    return lowest == Long.MAX_VALUE ? 0 : lowest;
  }

  @Override
  public void resetCheckpoints(int shards, long checkpoint) {
    byte[] prefix = CHECKPOINT.getBytes(StandardCharsets.UTF_8);
    try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator(meta)) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        batch.delete(meta, it.key());
      }
      for (int i = 0; i < shards; i++) {
        batch.put(meta, checkpointKey(i), ByteBuffer.allocate(8).putLong(checkpoint).array());
      }
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("reset of checkpoints", e);
    }
  }

  @Override
  public void forEach(BiConsumer<String, byte[]> consumer) {
    try (RocksIterator it = db.newIterator(journeys)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        consumer.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
      }
    }
  }

  private static byte[] checkpointKey(int shard) {
    return (CHECKPOINT + String.format("%05d", shard)).getBytes(StandardCharsets.UTF_8);
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
