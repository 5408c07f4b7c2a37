package io.nudge.kafka;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.store.RecordCodec;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Consent on the compacted consent topic, keyed by customer and purpose, so compaction keeps each
 * purpose's current choice; every node reads it whole into memory. A choice applies only over an older
 * one (by when it was made), so the order nodes read choices in does not matter. The history of past
 * choices is what this node saw: a node started later has the current choices only.
 */
final class KafkaConsentStore implements ConsentStore {
  private static final String NODE = "node";
  private final MemoryConsentStore local = new MemoryConsentStore();
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String nodeId;
  private final int partitions;
  private Map<TopicPartition, Long> loadedTo = Map.of();

  private KafkaConsentStore(Producer<byte[], byte[]> producer, String topic, String nodeId, int partitions) {
    this.producer = producer;
    this.topic = topic;
    this.nodeId = nodeId;
    this.partitions = partitions;
  }

  static KafkaConsentStore load(Producer<byte[], byte[]> producer, ClusterSettings settings, int partitions) {
    KafkaConsentStore store = new KafkaConsentStore(producer, settings.topic(Topics.CONSENT), settings.nodeId(),
        partitions);
    List<TopicPartition> all = new java.util.ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(store.topic, p));
    }
    store.loadedTo = Kafka.readToEnd(settings, all, null, store::applyAny);
    return store;
  }

  Map<TopicPartition, Long> loadedTo() {
    return loadedTo;
  }

  @Override
  public void record(String customerId, ConsentRecord choice) {
    local.record(customerId, choice);
    byte[] value = RecordCodec.consent(new RecordCodec.ConsentState(Map.of(choice.purpose(), choice), List.of(choice)));
    // partitioned like the customer's events, so one customer's choices stay in order
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic,
        io.nudge.engine.shard.ShardedEngine.shardIndex(customerId, partitions),
        Kafka.utf8(customerId + '\u0000' + choice.purpose().id()), value);
    r.headers().add(new RecordHeader(NODE, Kafka.utf8(nodeId)));
    Kafka.send(producer, r);
  }

  /** A record read after the load: another node's choice. */
  void apply(ConsumerRecord<byte[], byte[]> r) {
    if (!nodeId.equals(Kafka.header(r, NODE))) {
      applyAny(r);
    }
  }

  private void applyAny(ConsumerRecord<byte[], byte[]> r) {
    String key = Kafka.text(r.key());
    String customerId = key.substring(0, key.indexOf('\u0000'));
    if (r.value() == null) {
      local.erase(customerId); // erased: every purpose of theirs is tombstoned
      return;
    }
    for (ConsentRecord c : RecordCodec.consent(r.value()).history()) {
      local.record(customerId, c);
    }
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    return local.current(customerId);
  }

  @Override
  public List<ConsentRecord> history(String customerId) {
    return local.history(customerId);
  }

  @Override
  public int erase(String customerId) {
    int n = local.erase(customerId);
    for (Purpose p : Purpose.values()) {
      Kafka.send(producer, new ProducerRecord<>(topic, io.nudge.engine.shard.ShardedEngine.shardIndex(customerId,
          partitions), Kafka.utf8(customerId + '\u0000' + p.id()), null));
    }
    return n;
  }
}
