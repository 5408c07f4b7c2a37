package io.nudge.engine.store.rocks;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.store.Binary;
import io.nudge.engine.store.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
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
  private final ColumnFamilyHandle index;
  private final ColumnFamilyHandle outcomes;
  private final WriteOptions write;

  RocksDecisionLog(RocksDB db, ColumnFamilyHandle decisions, ColumnFamilyHandle sent, ColumnFamilyHandle index,
      ColumnFamilyHandle outcomes, WriteOptions write) {
    this.db = db;
    this.decisions = decisions;
    this.sent = sent;
    this.index = index;
    this.outcomes = outcomes;
    this.write = write;
  }

  @Override
  public void append(Decision decision) {
    byte[] record = RecordCodec.decision(decision);
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(decisions, key(decision.engagement().customerId(), decision.engagement().id()), record);
      batch.put(index, decision.engagement().id().getBytes(StandardCharsets.UTF_8),
          decision.engagement().customerId().getBytes(StandardCharsets.UTF_8));
      if (decision.outcome() == Decision.Outcome.SENT) {
        batch.put(sent, sentKey(decision.decidedAt().toEpochMilli(), decision.engagement().id()), record);
      }
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of a decision", e);
    }
  }

  @Override
  public void forEach(java.util.function.Consumer<Decision> consumer) {
    try (RocksIterator it = db.newIterator(decisions)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        consumer.accept(RecordCodec.decision(it.value()));
      }
    }
  }

  @Override
  public Optional<Decision> find(String engagementId) {
    try {
      byte[] customer = db.get(index, engagementId.getBytes(StandardCharsets.UTF_8));
      if (customer == null) {
        return Optional.empty();
      }
      byte[] record = db.get(decisions, key(new String(customer, StandardCharsets.UTF_8), engagementId));
      return record == null ? Optional.empty() : Optional.of(RecordCodec.decision(record));
    } catch (RocksDBException e) {
      throw RocksStore.failure("read of a decision", e);
    }
  }

  @Override
  public List<OutcomeRecord> outcomes(String engagementId) {
    try {
      byte[] value = db.get(outcomes, engagementId.getBytes(StandardCharsets.UTF_8));
      return value == null ? List.of() : decodeOutcomes(value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("read of outcomes", e);
    }
  }

  @Override
  public void appendOutcome(String engagementId, OutcomeRecord outcome) {
    List<OutcomeRecord> all = new ArrayList<>(outcomes(engagementId));
    all.add(outcome);
    byte[] value = Binary.write(w -> {
      w.small(all.size());
      for (OutcomeRecord o : all) {
        w.text(o.outcome());
        w.number(o.at().toEpochMilli());
      }
    });
    try {
      db.put(outcomes, write, engagementId.getBytes(StandardCharsets.UTF_8), value);
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of an outcome", e);
    }
  }

  private static List<OutcomeRecord> decodeOutcomes(byte[] value) {
    return Binary.read(value, r -> {
      int n = r.small();
      List<OutcomeRecord> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(new OutcomeRecord(r.text(), java.time.Instant.ofEpochMilli(r.number())));
      }
      return list;
    });
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

  @Override
  public Removed erase(String customerId) {
    byte[] prefix = prefix(customerId);
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (WriteBatch batch = new WriteBatch()) {
      int outcomeCount = 0;
      try (RocksIterator it = db.newIterator(decisions)) {
        for (it.seek(prefix); it.isValid() && RocksJourneyStore.startsWith(it.key(), prefix); it.next()) {
          String id = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
          outcomeCount += remove(batch, it.key(), id);
          ids.add(id);
        }
      }
      try (RocksIterator it = db.newIterator(sent)) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          byte[] key = it.key();
          if (ids.contains(new String(key, 8, key.length - 8, StandardCharsets.UTF_8))) {
            batch.delete(sent, key);
          }
        }
      }
      db.write(write, batch);
      return new Removed(ids.size(), outcomeCount);
    } catch (RocksDBException e) {
      throw RocksStore.failure("erasure of decisions", e);
    }
  }

  @Override
  public Removed purgeBefore(long epochMillis) {
    int decisionCount = 0;
    int outcomeCount = 0;
    try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator(decisions)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        Decision d = RecordCodec.decision(it.value());
        if (d.decidedAt().toEpochMilli() < epochMillis) {
          outcomeCount += remove(batch, it.key(), d.engagement().id());
          decisionCount++;
        }
      }
      // a sent entry is keyed by when it was sent, never later than its decision's final time
      batch.deleteRange(sent, sentKey(0, ""), sentKey(epochMillis, ""));
      db.write(write, batch);
      return new Removed(decisionCount, outcomeCount);
    } catch (RocksDBException e) {
      throw RocksStore.failure("purge of decisions", e);
    }
  }

  /** Adds the deletes of one decision, its index entry and its outcomes; returns how many outcomes it had. */
  private int remove(WriteBatch batch, byte[] decisionKey, String engagementId) throws RocksDBException {
    byte[] id = engagementId.getBytes(StandardCharsets.UTF_8);
    int outcomeCount = outcomes(engagementId).size();
    batch.delete(decisions, decisionKey);
    batch.delete(index, id);
    if (outcomeCount > 0) {
      batch.delete(outcomes, id);
    }
    return outcomeCount;
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
