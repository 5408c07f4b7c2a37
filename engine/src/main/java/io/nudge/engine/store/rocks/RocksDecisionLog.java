package io.nudge.engine.store.rocks;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Decisions keyed by customer id and engagement id. Engagement ids start with their visit's time, so
 * a customer's decisions read back in time order.
 */
final class RocksDecisionLog implements DecisionLog {
  private final RocksDB db;
  private final ColumnFamilyHandle decisions;
  private final ColumnFamilyHandle sent;
  private final WriteOptions write;

  RocksDecisionLog(RocksDB db, ColumnFamilyHandle decisions, ColumnFamilyHandle sent, WriteOptions write) {
    this.db = db;
    this.decisions = decisions;
    this.sent = sent;
    this.write = write;
  }

  @Override
  public void append(Decision decision) {
    byte[] record = RecordCodec.decision(decision);
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(decisions, key(decision.engagement().customerId(), decision.engagement().id()), record);
      if (decision.outcome() == Decision.Outcome.SENT) {
        batch.put(sent, sentKey(decision.decidedAt().toEpochMilli(), decision.engagement().id()), record);
      }
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of a decision", e);
    }
  }

  @Override
  public List<Engagement> recentlySent(int limit) {
    List<Engagement> newestFirst = new ArrayList<>();
    try (RocksIterator it = db.newIterator(sent)) {
      for (it.seekToLast(); it.isValid() && newestFirst.size() < limit; it.prev()) {
        newestFirst.add(RecordCodec.decision(it.value()).engagement());
      }
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  @Override
  public void trimSentBefore(long epochMillis) {
    try {
      db.deleteRange(sent, sentKey(0, ""), sentKey(epochMillis, ""));
    } catch (RocksDBException e) {
      throw RocksStore.failure("trim of sent engagements", e);
    }
  }

  /** Decision time first, so the newest sort last. */
  private static byte[] sentKey(long epochMillis, String engagementId) {
    byte[] id = engagementId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + id.length).putLong(epochMillis).put(id).array();
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
