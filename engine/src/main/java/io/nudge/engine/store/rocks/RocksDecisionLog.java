package io.nudge.engine.store.rocks;

import io.nudge.engine.Decision;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * Decisions keyed by customer id and engagement id. Engagement ids start with their visit's time, so
 * a customer's decisions read back in time order.
 */
final class RocksDecisionLog implements DecisionLog {
  private final RocksDB db;
  private final ColumnFamilyHandle decisions;
  private final WriteOptions write;

  RocksDecisionLog(RocksDB db, ColumnFamilyHandle decisions, WriteOptions write) {
    this.db = db;
    this.decisions = decisions;
    this.write = write;
  }

  @Override
  public void append(Decision decision) {
    try {
      db.put(decisions, write, key(decision.engagement().customerId(), decision.engagement().id()),
          RecordCodec.decision(decision));
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of a decision", e);
    }
  }

  @Override
  public List<Decision> forCustomer(String customerId) {
    byte[] prefix = prefix(customerId);
    List<Decision> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(decisions)) {
      for (it.seek(prefix); it.isValid() && RocksJourneyStore.startsWith(it.key(), prefix); it.next()) {
        out.add(RecordCodec.decision(it.value()));
      }
    }
    out.sort((a, b) -> a.decidedAt().compareTo(b.decidedAt()));
    return out;
  }

  @Override
  public boolean contains(String customerId, String engagementId) {
    try {
      return db.get(decisions, key(customerId, engagementId)) != null;
    } catch (RocksDBException e) {
      throw RocksStore.failure("read of a decision", e);
    }
  }

  private static byte[] prefix(String customerId) {
    return (customerId + '\u0000').getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(String customerId, String engagementId) {
    return (customerId + '\u0000' + engagementId).getBytes(StandardCharsets.UTF_8);
  }
}
