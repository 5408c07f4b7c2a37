package io.nudge.engine.store.rocks;

import io.nudge.engine.store.IdentityStore;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * Identity links; the value is the customer id, then (after NUL characters) why and when. Written without sync: the event that made a link is logged with sync right after,
 * and that sync carries the link to disk with it.
 */
final class RocksIdentityStore implements IdentityStore {
  private final RocksDB db;
  private final ColumnFamilyHandle identity;
  private final WriteOptions write;

  RocksIdentityStore(RocksDB db, ColumnFamilyHandle identity, WriteOptions write) {
    this.db = db;
    this.identity = identity;
    this.write = write;
  }

  @Override
  public void link(String idKey, String customerId) {
    try {
      db.put(identity, write, idKey.getBytes(StandardCharsets.UTF_8), customerId.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of an identity link", e);
    }
  }

  @Override
  public void unlink(String idKey) {
    try {
      db.delete(identity, write, idKey.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw RocksStore.failure("delete of an identity link", e);
    }
  }

  @Override
  public void forEach(BiConsumer<String, String> consumer) {
    try (RocksIterator it = db.newIterator(identity)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        consumer.accept(new String(it.key(), StandardCharsets.UTF_8), new String(it.value(), StandardCharsets.UTF_8));
      }
    }
  }
}
