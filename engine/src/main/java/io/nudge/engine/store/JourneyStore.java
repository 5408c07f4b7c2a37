package io.nudge.engine.store;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Snapshots of customers' journeys, with each shard's checkpoint: the log sequence up to which every
 * event of that shard is in the snapshots. On restart the engine loads the snapshots and replays the
 * log after the lowest checkpoint. Thread-safe.
 */
public interface JourneyStore {

  /** Saves snapshots (a null snapshot deletes the customer's) and the shard's checkpoint together, atomically. */
  void save(int shard, long checkpoint, Map<String, byte[]> snapshots);

  /** The lowest checkpoint over all shards saved so far, 0 when none was saved. */
  long checkpoint();

  /** Replaces every shard's checkpoint by one value (after a restart, when the shard count may differ). */
  void resetCheckpoints(int shards, long checkpoint);

  /** Calls {@code consumer} with every customer's snapshot. */
  void forEach(BiConsumer<String, byte[]> consumer);
}
