package io.nudge.kafka;

import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.store.IdentityStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Identity links on the compacted identity topic, keyed by id, read whole by every node. Every node
 * applies the links in the topic's order, so where two nodes linked one id to two customers at once,
 * the later link wins on every node, and on any node that starts later (compaction keeps the last).
 * A node does not apply the echo of its own link while a newer one of its own for that id is on its
 * way, so its registry never steps back.
 */
final class KafkaIdentityStore implements IdentityStore {
  private static final String NODE = "node";
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final String nodeId;
  private final Map<String, String> loaded;
  private final Map<TopicPartition, Long> loadedTo;
  /** Own links per id whose echo has not come back yet. */
  private final Map<String, Integer> pending = new HashMap<>();
  private volatile IdentityRegistry registry;

  KafkaIdentityStore(Producer<byte[], byte[]> producer, String topic, String nodeId,
      Map<String, String> loaded, Map<TopicPartition, Long> loadedTo) {
    this.producer = producer;
    this.topic = topic;
    this.nodeId = nodeId;
    this.loaded = loaded;
    this.loadedTo = loadedTo;
  }

  /** Reads the topic to its end; {@link #forEach} then gives what it held. */
  static KafkaIdentityStore load(Producer<byte[], byte[]> producer, ClusterSettings settings, int partitions) {
    String topic = settings.topic(Topics.IDENTITY);
    Map<String, String> links = new LinkedHashMap<>();
    List<TopicPartition> all = new java.util.ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(topic, p));
    }
    Map<TopicPartition, Long> end = Kafka.readToEnd(settings, all, null, r -> {
      String key = Kafka.text(r.key());
      if (r.value() == null) {
        links.remove(key);
      } else {
        links.put(key, Kafka.text(r.value()));
      }
    });
    return new KafkaIdentityStore(producer, topic, settings.nodeId(), links, end);
  }

  Map<TopicPartition, Long> loadedTo() {
    return loadedTo;
  }

  /** The registry the links read from now on go to. */
  void follow(IdentityRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void link(String idKey, String customerId) {
    send(idKey, customerId);
  }

  @Override
  public void unlink(String idKey) {
    send(idKey, null);
  }

  private void send(String key, String value) {
    synchronized (pending) {
      pending.merge(key, 1, Integer::sum);
    }
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, Kafka.utf8(key), Kafka.utf8(value));
    r.headers().add(new RecordHeader(NODE, Kafka.utf8(nodeId)));
    Kafka.send(producer, r);
  }

  /** A record of the topic read after the load, in the topic's order. */
  void apply(ConsumerRecord<byte[], byte[]> r) {
    String key = Kafka.text(r.key());
    boolean own = nodeId.equals(Kafka.header(r, NODE));
    synchronized (pending) {
      Integer waiting = pending.get(key);
      if (own && waiting != null) {
        if (waiting > 1) {
          pending.put(key, waiting - 1);
          return; // a newer link of ours follows: apply that one
        }
        pending.remove(key);
      } else if (waiting != null) {
        return; // ours is newer in the topic: it comes after this one
      }
    }
    IdentityRegistry to = registry;
    if (to != null) {
      to.learn(key, Kafka.text(r.value()));
    }
  }

  @Override
  public void forEach(BiConsumer<String, String> consumer) {
    loaded.forEach(consumer);
  }
}
