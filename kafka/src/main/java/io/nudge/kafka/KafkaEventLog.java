package io.nudge.kafka;

import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.EventCodec;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.LoggedEvent;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The engine's event log on the events topic: an event goes to the partition of its customer's shard,
 * keyed by the customer, and its sequence there is its offset + 1. The engine nodes read the partitions
 * back and hand the events to their shards; reading and trimming the log is Kafka's (its retention).
 */
final class KafkaEventLog implements EventLog {
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final int partitions;
  private final InstantSource clock;
  private final String ingestTopic;
  private final long retentionMillis;

  KafkaEventLog(Producer<byte[], byte[]> producer, String topic, int partitions, InstantSource clock,
      String ingestTopic, long retentionMillis) {
    this.producer = producer;
    this.topic = topic;
    this.partitions = partitions;
    this.clock = clock;
    this.ingestTopic = ingestTopic;
    this.retentionMillis = retentionMillis;
  }

  @Override
  public String erasureDeferred(java.time.Instant now) {
    return "kept in Kafka until the topics' retention deletes them: in " + ingestTopic + " until "
        + now.plus(java.time.Duration.ofDays(1)) + ", in " + topic + " until "
        + now.plusMillis(Topics.eventsRetentionMillis(retentionMillis))
        + "; no node applies them again (the ids have tombstones)";
  }

  @Override
  public CompletableFuture<List<LoggedEvent>> append(List<Entry> entries, Consumer<List<LoggedEvent>> onDurable) {
    List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(entries.size());
    long now = clock.millis();
    for (Entry e : entries) {
      int partition = ShardedEngine.shardIndex(e.customerId(), partitions);
      byte[] value = EventCodec.encode(new LoggedEvent(0, now, e.customerId(), e.event()));
      sent.add(Kafka.send(producer, new ProducerRecord<>(topic, partition, Kafka.utf8(e.customerId()), value)));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<LoggedEvent> logged = new ArrayList<>(entries.size());
      for (int i = 0; i < entries.size(); i++) {
        RecordMetadata m = sent.get(i).join();
        logged.add(new LoggedEvent(m.offset() + 1, m.timestamp(), entries.get(i).customerId(), entries.get(i).event()));
      }
      onDurable.accept(logged);
      return logged;
    });
  }

  private static UnsupportedOperationException kafkas() {
    return new UnsupportedOperationException("in cluster mode the event log is the Kafka topic: read it with "
        + "Kafka's tools; its retention trims it");
  }

  @Override
  public void replay(long from, Consumer<LoggedEvent> consumer) {
    throw kafkas();
  }

  @Override
  public long firstSequenceAtOrAfter(long epochMillis) {
    throw kafkas();
  }

  @Override
  public long lastSequence() {
    return 0; // per partition in a cluster: there is no one sequence
  }

  @Override
  public void trim(long epochMillis, long keepFrom) {
    throw kafkas();
  }

  @Override
  public int erase(Predicate<LoggedEvent> which) {
    throw kafkas();
  }

  @Override
  public void close() {}
}
