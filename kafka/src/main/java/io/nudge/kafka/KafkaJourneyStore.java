package io.nudge.kafka;

import io.nudge.engine.store.JourneyStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The shards' journeys on the compacted journeys topic, the changelog of each shard: partition
 * {@code p} holds the snapshots of shard {@code p}'s customers (a null value deletes one) and, under
 * {@link #CHECKPOINT}, its checkpoint. A save waits until the brokers have it, and writes the checkpoint
 * last, after everything the node sent before (its decisions): a new owner that reads the checkpoint
 * finds every decision made up to there.
 */
final class KafkaJourneyStore implements JourneyStore {
  /** The key of a partition's checkpoint; no customer id starts with a NUL. */
  static final String CHECKPOINT = "\u0000checkpoint";

  /** What a partition of the changelog holds: its checkpoint and its customers' snapshots. */
  record Restored(long checkpoint, Map<String, byte[]> snapshots) {}

  private final Producer<byte[], byte[]> producer;
  private final ClusterSettings settings;
  private final String topic;

  KafkaJourneyStore(Producer<byte[], byte[]> producer, ClusterSettings settings) {
    this.producer = producer;
    this.settings = settings;
    this.topic = settings.topic(Topics.JOURNEYS);
  }

  @Override
  public void save(int shard, long checkpoint, Map<String, byte[]> snapshots) {
    producer.flush(); // the decisions sent before this checkpoint (same producer) are on the brokers before it is
    List<CompletableFuture<?>> sent = new ArrayList<>(snapshots.size() + 1);
    for (Map.Entry<String, byte[]> s : snapshots.entrySet()) {
      sent.add(Kafka.send(producer, new ProducerRecord<>(topic, shard, Kafka.utf8(s.getKey()), s.getValue())));
    }
    sent.add(Kafka.send(producer, new ProducerRecord<>(topic, shard, Kafka.utf8(CHECKPOINT),
        ByteBuffer.allocate(8).putLong(checkpoint).array())));
    try {
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while saving shard " + shard + "'s journeys", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not save shard " + shard + "'s journeys to " + topic + ": "
          + (e.getCause() == null ? e : e.getCause()), e);
    }
  }

  /** Reads partition {@code shard} of the changelog to its end. */
  Restored read(int shard) {
    Map<String, byte[]> snapshots = new HashMap<>();
    long[] checkpoint = {0};
    Kafka.readToEnd(settings, List.of(new TopicPartition(topic, shard)), null, r -> {
      String key = Kafka.text(r.key());
      if (CHECKPOINT.equals(key)) {
        checkpoint[0] = ByteBuffer.wrap(r.value()).getLong();
      } else if (r.value() == null) {
        snapshots.remove(key);
      } else {
        snapshots.put(key, r.value());
      }
    });
    return new Restored(checkpoint[0], snapshots);
  }

  @Override
  public long checkpoint() {
    return 0; // each partition has its own, read when the partition is assigned
  }

  @Override
  public void resetCheckpoints(int shards, long checkpoint) {
    // each partition keeps its own checkpoint
  }

  @Override
  public void forEach(BiConsumer<String, byte[]> consumer) {
    throw new UnsupportedOperationException("in cluster mode journeys are read per partition, when assigned");
  }
}
