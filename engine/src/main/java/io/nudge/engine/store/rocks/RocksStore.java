package io.nudge.engine.store.rocks;

import io.nudge.engine.NudgeException;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.IdentityStore;
import io.nudge.engine.store.JourneyStore;
import io.nudge.engine.store.Outbox;
import io.nudge.engine.store.TimelineStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * Everything the engine keeps, in one embedded RocksDB database under the data folder: one column
 * family per kind of record, one write-ahead log for all. An event is acknowledged only once a write
 * with {@code sync} has put it on disk; since the write-ahead log is one file, that sync also makes
 * every earlier write durable (the identity links made for that event, for example).
 */
public final class RocksStore implements EngineStore {
  static {
    RocksDB.loadLibrary();
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RocksStore.class);
  /** The write-ahead logs' total size past which the families holding the oldest are flushed. */
  static final long MAX_TOTAL_WAL_BYTES = 128L << 20;
  static final byte[] EVENTS = "events".getBytes();
  static final byte[] JOURNEYS = "journeys".getBytes();
  static final byte[] CONSENT = "consent".getBytes();
  static final byte[] IDENTITY = "identity".getBytes();
  static final byte[] DECISIONS = "decisions".getBytes();
  static final byte[] META = "meta".getBytes();
  static final byte[] OUTBOX = "outbox".getBytes();
  static final byte[] DEAD_LETTERS = "dead-letters".getBytes();
  static final byte[] SENT = "sent".getBytes();
  static final byte[] ENGAGEMENTS = "engagement-customers".getBytes();
  static final byte[] OUTCOMES = "outcomes".getBytes();
  static final byte[] TIMELINE = "timeline".getBytes();
  /** In the meta family: when the store was last compacted. */
  private static final byte[] COMPACTED = "compacted".getBytes();

  private final DBOptions options;
  private final ColumnFamilyOptions columnOptions;
  private final List<ColumnFamilyHandle> handles;
  private final RocksDB db;
  private final WriteOptions relaxed;
  private final RocksEventLog events;
  private final RocksJourneyStore journeys;
  private final RocksConsentStore consent;
  private final RocksIdentityStore identities;
  private final RocksDecisionLog decisions;
  private final RocksOutbox outbox;
  private final RocksTimeline timeline;

  private RocksStore(DBOptions options, ColumnFamilyOptions columnOptions, List<ColumnFamilyHandle> handles,
      RocksDB db, InstantSource clock) {
    this.options = options;
    this.columnOptions = columnOptions;
    this.handles = handles;
    this.db = db;
    this.relaxed = new WriteOptions();
    this.events = new RocksEventLog(db, handles.get(1), clock);
    this.journeys = new RocksJourneyStore(db, handles.get(2), handles.get(6), relaxed);
    this.consent = new RocksConsentStore(db, handles.get(3), relaxed);
    this.identities = new RocksIdentityStore(db, handles.get(4), relaxed);
    this.decisions = new RocksDecisionLog(db, handles.get(5), handles.get(9), handles.get(10), handles.get(11),
        relaxed);
    this.outbox = new RocksOutbox(db, handles.get(7), handles.get(8), relaxed);
    this.timeline = new RocksTimeline(db, handles.get(12), relaxed);
  }

  /**
   * Opens (or creates) the store in {@code dir}.
   *
   * @param clock the engine clock, which times logged events
   * @throws NudgeException when the folder cannot be used, naming it
   */
  public static RocksStore open(Path dir, InstantSource clock) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new NudgeException("cannot create the store folder " + dir + ": " + e.getMessage(), e);
    }
    DBOptions options = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2)
        .setKeepLogFileNum(5)
        // a family written rarely (consent, identity links) would otherwise keep every write-ahead log
        // since its last flush, gigabytes that an open after a crash replays: past this total, the
        // families holding the oldest log are flushed, so a crash replays at most this much
        .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
        // a new manifest at every change of files, holding only the files live then: the old one, with
        // the smallest and largest keys of files compacted away (an erased customer's id, say), goes
        .setMaxManifestFileSize(0);
    ColumnFamilyOptions columnOptions = new ColumnFamilyOptions()
        .setCompressionType(CompressionType.LZ4_COMPRESSION);
    List<ColumnFamilyDescriptor> families = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions),
        new ColumnFamilyDescriptor(EVENTS, columnOptions),
        new ColumnFamilyDescriptor(JOURNEYS, columnOptions),
        new ColumnFamilyDescriptor(CONSENT, columnOptions),
        new ColumnFamilyDescriptor(IDENTITY, columnOptions),
        new ColumnFamilyDescriptor(DECISIONS, columnOptions),
        new ColumnFamilyDescriptor(META, columnOptions),
        new ColumnFamilyDescriptor(OUTBOX, columnOptions),
        new ColumnFamilyDescriptor(DEAD_LETTERS, columnOptions),
        new ColumnFamilyDescriptor(SENT, columnOptions),
        new ColumnFamilyDescriptor(ENGAGEMENTS, columnOptions),
        new ColumnFamilyDescriptor(OUTCOMES, columnOptions),
        new ColumnFamilyDescriptor(TIMELINE, columnOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(options, dir.toString(), families, handles);
      return new RocksStore(options, columnOptions, handles, db, clock);
    } catch (RocksDBException e) {
      options.close();
      columnOptions.close();
      throw new NudgeException("cannot open the store in " + dir + " (NUDGE_DATA_DIR): " + e.getMessage(), e);
    }
  }

  @Override
  public EventLog events() {
    return events;
  }

  @Override
  public JourneyStore journeys() {
    return journeys;
  }

  @Override
  public ConsentStore consent() {
    return consent;
  }

  @Override
  public IdentityStore identities() {
    return identities;
  }

  @Override
  public DecisionLog decisions() {
    return decisions;
  }

  @Override
  public Outbox outbox() {
    return outbox;
  }

  @Override
  public TimelineStore timeline() {
    return timeline;
  }

  @Override
  public boolean isEphemeral() {
    return false;
  }

  /**
   * Flushes every column family (so the write-ahead log that holds the deletes is no longer needed and
   * is deleted), compacts every column family fully down to the last level (where deletes drop the
   * records they cover and are dropped themselves), then makes one more small change of files so the
   * manifest is written anew from the files live now.
   */
  @Override
  public synchronized void compact() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        CompactRangeOptions full = new CompactRangeOptions()
            .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)
            .setExclusiveManualCompaction(true)) {
      db.flush(flush, handles);
      for (ColumnFamilyHandle h : handles) {
        db.compactRange(h, null, null, full);
      }
      ColumnFamilyHandle meta = handles.get(6);
      db.put(meta, relaxed, COMPACTED, java.nio.ByteBuffer.allocate(8).putLong(System.currentTimeMillis()).array());
      db.flush(flush, meta);
      db.compactRange(meta, null, null, full);
      // obsolete files (old logs, data files, manifests) are deleted now, not at the next background job
      db.disableFileDeletions();
      db.enableFileDeletions();
    } catch (RocksDBException e) {
      throw failure("compaction", e);
    }
  }

  /**
   * Flushes and closes; the event log's pending appends finish first. Every family's memory tables are
   * written to files, so the next open has no write-ahead log to replay.
   */
  @Override
  public void close() {
    events.close();
    try {
      db.syncWal();
    } catch (RocksDBException ignored) {
      // closing anyway: what was synced is safe
    }
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush, handles);
    } catch (RocksDBException e) {
      // the write-ahead log holds it all: the next open replays it
      LOG.warn("flushing the store on close failed; the next start replays its log: {}", e.getMessage());
    }
    relaxed.close();
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    columnOptions.close();
    options.close();
  }

  static NudgeException failure(String what, RocksDBException e) {
    return new NudgeException("store " + what + " failed: " + e.getMessage(), e);
  }
}
