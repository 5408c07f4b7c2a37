package io.nudge.engine.store.rocks;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.store.Binary;
import io.nudge.engine.store.Outbox;
import io.nudge.engine.store.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** The outbox and its dead letters, keyed by engagement id. */
final class RocksOutbox implements Outbox {
  private final RocksDB db;
  private final ColumnFamilyHandle pending;
  private final ColumnFamilyHandle dead;
  private final WriteOptions write;

  RocksOutbox(RocksDB db, ColumnFamilyHandle pending, ColumnFamilyHandle dead, WriteOptions write) {
    this.db = db;
    this.pending = pending;
    this.dead = dead;
    this.write = write;
  }

  @Override
  public void add(Engagement engagement) {
    try {
      db.put(pending, write, key(engagement.id()), encode(engagement));
    } catch (RocksDBException e) {
      throw RocksStore.failure("write to the outbox", e);
    }
  }

  @Override
  public List<Engagement> pending() {
    List<Engagement> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(pending)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(decode(it.value()));
      }
    }
    out.sort(Comparator.comparing(Engagement::createdAt));
    return out;
  }

  @Override
  public void delivered(String engagementId) {
    try {
      db.delete(pending, write, key(engagementId));
    } catch (RocksDBException e) {
      throw RocksStore.failure("delete from the outbox", e);
    }
  }

  @Override
  public void deadLetter(Engagement engagement, String reason, Instant at) {
    byte[] letter = Binary.write(w -> {
      w.text(reason);
      w.number(at.toEpochMilli());
      w.bytes(encode(engagement));
    });
    try (WriteBatch batch = new WriteBatch()) {
      if (db.get(pending, key(engagement.id())) == null) {
        return; // no longer waiting: its customer was erased
      }
      batch.delete(pending, key(engagement.id()));
      batch.put(dead, key(engagement.id()), letter);
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("write of a dead letter", e);
    }
  }

  @Override
  public List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator(dead)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(letter(it.value()));
      }
    }
    out.sort(Comparator.comparing(DeadLetter::at));
    return out;
  }

  @Override
  public Optional<Engagement> revive(String engagementId) {
    try {
      byte[] value = db.get(dead, key(engagementId));
      if (value == null) {
        return Optional.empty();
      }
      Engagement e = letter(value).engagement();
      try (WriteBatch batch = new WriteBatch()) {
        batch.delete(dead, key(engagementId));
        batch.put(pending, key(engagementId), encode(e));
        db.write(write, batch);
      }
      return Optional.of(e);
    } catch (RocksDBException e) {
      throw RocksStore.failure("revival of a dead letter", e);
    }
  }

  @Override
  public int erase(java.util.Collection<String> customerIds) {
    int erased = 0;
    try (WriteBatch batch = new WriteBatch()) {
      for (ColumnFamilyHandle family : List.of(pending, dead)) {
        try (RocksIterator it = db.newIterator(family)) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            Engagement e = family == pending ? decode(it.value()) : letter(it.value()).engagement();
            if (customerIds.contains(e.customerId())) {
              batch.delete(family, it.key());
              erased++;
            }
          }
        }
      }
      db.write(write, batch);
    } catch (RocksDBException e) {
      throw RocksStore.failure("erasure in the outbox", e);
    }
    return erased;
  }

  private static DeadLetter letter(byte[] value) {
    return Binary.read(value, r -> {
      String reason = r.text();
      Instant at = Instant.ofEpochMilli(r.number());
      return new DeadLetter(decode(r.bytes()), reason, at);
    });
  }

  // an engagement is stored as the decision that sent it; the codec is shared with the decision log
  private static byte[] encode(Engagement e) {
    return RecordCodec.decision(new Decision(e, Decision.Outcome.SENT, "sent", e.createdAt()));
  }

  private static Engagement decode(byte[] bytes) {
    return RecordCodec.decision(bytes).engagement();
  }

  private static byte[] key(String engagementId) {
    return engagementId.getBytes(StandardCharsets.UTF_8);
  }
}
