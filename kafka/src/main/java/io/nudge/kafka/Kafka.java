package io.nudge.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The node's Kafka clients, made the one way Nudge needs them. */
final class Kafka {
  private Kafka() {}

  /** Idempotent, acknowledged by every in-sync replica, in order per partition. */
  static Producer<byte[], byte[]> producer(ClusterSettings settings, String name) {
    Properties p = settings.clientProperties(name);
    // the guarantees are Nudge's; the timings are defaults the client settings may change
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.putIfAbsent("linger.ms", "2");
    p.putIfAbsent("compression.type", "lz4");
    p.putIfAbsent("delivery.timeout.ms", "30000");
    p.putIfAbsent("request.timeout.ms", "10000");
    p.putIfAbsent("max.block.ms", "10000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer that commits only when told; {@code group} null for one that is assigned partitions. */
  static KafkaConsumer<byte[], byte[]> consumer(ClusterSettings settings, String name, String group) {
    return consumer(settings, name, group, "earliest");
  }

  /** As {@link #consumer(ClusterSettings, String, String)}, starting a group new to a partition at {@code reset}. */
  static KafkaConsumer<byte[], byte[]> consumer(ClusterSettings settings, String name, String group, String reset) {
    Properties p = settings.clientProperties(name);
    if (group != null) {
      p.put("group.id", group);
    }
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", reset);
    p.put("isolation.level", "read_uncommitted");
    p.putIfAbsent("max.poll.records", "2000");
    p.putIfAbsent("session.timeout.ms", "10000");
    p.putIfAbsent("heartbeat.interval.ms", "1000");
    p.putIfAbsent("max.poll.interval.ms", "300000");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Sends and completes with where the record landed, once the brokers have it. */
  static CompletableFuture<RecordMetadata> send(Producer<byte[], byte[]> producer,
      ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          done.completeExceptionally(error);
        } else {
          done.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * Reads the partitions from {@code from} (null: their beginning) up to their end as it is now, calling
   * {@code each} for every record, and returns the offsets it stopped at.
   */
  static Map<TopicPartition, Long> readToEnd(ClusterSettings settings, List<TopicPartition> partitions,
      Map<TopicPartition, Long> from, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    return readToEnd(settings, partitions, from, null, each);
  }

  /**
   * As {@link #readToEnd(ClusterSettings, List, Map, Consumer)}, from the first record appended at or
   * after {@code sinceMillis} (nothing, where none was), when it is not null.
   */
  static Map<TopicPartition, Long> readToEnd(ClusterSettings settings, List<TopicPartition> partitions,
      Map<TopicPartition, Long> from, Long sinceMillis, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(settings, "reader", null)) {
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> since = Map.of();
      if (sinceMillis != null) {
        Map<TopicPartition, Long> times = new java.util.HashMap<>();
        partitions.forEach(tp -> times.put(tp, sinceMillis));
        since = consumer.offsetsForTimes(times, Duration.ofSeconds(30));
      }
      for (TopicPartition tp : partitions) {
        Long start = from == null ? null : from.get(tp);
        if (sinceMillis != null) {
          var first = since.get(tp);
          consumer.seek(tp, first == null ? end.get(tp) : first.offset());
        } else if (start == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, start);
        }
      }
      List<TopicPartition> open = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        if (consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp)) {
          open.add(tp);
        }
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + open + " to its end took over 10 minutes");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            each.accept(r);
          }
        }
        open.removeIf(tp -> consumer.position(tp) >= end.get(tp));
      }
      return end;
    }
  }

  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
    return h == null ? null : text(h.value());
  }
}
