package io.nudge.kafka;

import io.nudge.engine.Decision;
import io.nudge.engine.store.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A delivery node's view of the decisions topic.
 *
 * <ul>
 *   <li><b>Webhooks</b>, shared by the delivery nodes (one consumer group): each sent engagement is handed
 *       to the webhook sender once per group, and its offset is committed only once the sender reports it
 *       delivered or given up. A delivery node that dies leaves its unfinished engagements to the next
 *       owner of the partition, which sends them again under the same id: at least once.
 *   <li><b>Streams</b>, on every delivery node (a group of its own): every decision, so a chat system or a
 *       browser connected to any delivery node sees every engagement for it. A restarted node goes on
 *       from where it stopped; a new one starts at the newest.
 * </ul>
 */
public final class DecisionFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionFeed.class);

  /** Sends a sent engagement's webhook and calls {@code done} once it is delivered or given up. */
  @FunctionalInterface
  public interface WebhookSender {
    void send(Decision decision, Runnable done);
  }

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  private volatile String failure;

  private DecisionFeed() {}

  /** Why engagements no longer reach this node's webhooks or streams; empty while they do. */
  public java.util.Optional<String> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  /**
   * @param streams told of every decision, on the feed's thread, in each partition's order
   * @param webhooks null on a node that sends no webhooks
   */
  public static DecisionFeed start(ClusterSettings settings, Consumer<Decision> streams, WebhookSender webhooks) {
    DecisionFeed feed = new DecisionFeed();
    String topic = settings.topic(Topics.DECISIONS);
    KafkaConsumer<byte[], byte[]> s = Kafka.consumer(settings, "streams",
        settings.topicPrefix() + "streams-" + settings.nodeId(), "latest");
    feed.threads.add(feed.loop("nudge-cluster-streams", s, () -> feed.streamLoop(s, topic, streams)));
    if (webhooks != null) {
      KafkaConsumer<byte[], byte[]> w = Kafka.consumer(settings, "webhooks", settings.topicPrefix() + "webhooks",
          "earliest");
      feed.threads.add(feed.loop("nudge-cluster-webhooks", w, () -> feed.webhookLoop(w, topic, webhooks)));
    }
    return feed;
  }

  private Thread loop(String name, KafkaConsumer<byte[], byte[]> consumer, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException | Error e) {
        if (running) {
          failure = name + " stopped: " + e;
          LOG.error("{} stopped: engagements no longer reach this node's {}; it reports itself failed", name,
              name.endsWith("webhooks") ? "webhooks" : "streams", e);
        }
      } finally {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void streamLoop(KafkaConsumer<byte[], byte[]> consumer, String topic, Consumer<Decision> streams) {
    consumer.subscribe(List.of(topic));
    while (running) {
      var records = consumer.poll(Duration.ofMillis(200));
      for (ConsumerRecord<byte[], byte[]> r : records) {
        Decision d = decode(r);
        if (d != null) {
          try {
            streams.accept(d);
          } catch (RuntimeException e) {
            LOG.error("publishing engagement {} to the streams failed", d.engagement().id(), e);
          }
        }
      }
      if (!records.isEmpty()) {
        consumer.commitAsync();
      }
    }
  }

  private void webhookLoop(KafkaConsumer<byte[], byte[]> consumer, String topic, WebhookSender webhooks) {
    // per partition: offsets handed to the sender and not finished yet; the commit stays below the first
    Map<TopicPartition, TreeMap<Long, Boolean>> open = new HashMap<>();
    ConcurrentLinkedQueue<Map.Entry<TopicPartition, Long>> finished = new ConcurrentLinkedQueue<>();
    Map<TopicPartition, Long> next = new HashMap<>();
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        commit(consumer, open, finished, next);
        revoked.forEach(open::remove);
        revoked.forEach(next::remove);
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {}
    });
    while (running) {
      var records = consumer.poll(Duration.ofMillis(200));
      for (ConsumerRecord<byte[], byte[]> r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        next.put(tp, r.offset() + 1);
        Decision d = decode(r);
        if (d == null || !d.sent()) {
          continue; // nothing to send: committed with the offsets around it
        }
        open.computeIfAbsent(tp, k -> new TreeMap<>()).put(r.offset(), Boolean.TRUE);
        long offset = r.offset();
        try {
          webhooks.send(d, () -> finished.add(Map.entry(tp, offset)));
        } catch (RuntimeException e) {
          LOG.error("handing engagement {} to the webhook sender failed; it is sent again after a restart",
              d.engagement().id(), e);
        }
      }
      commit(consumer, open, finished, next);
    }
    commit(consumer, open, finished, next);
  }

  /** Commits each partition up to its first offset still being sent (or all it read, when none is). */
  private static void commit(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, TreeMap<Long, Boolean>> open,
      ConcurrentLinkedQueue<Map.Entry<TopicPartition, Long>> finished, Map<TopicPartition, Long> next) {
    for (Map.Entry<TopicPartition, Long> f = finished.poll(); f != null; f = finished.poll()) {
      TreeMap<Long, Boolean> waiting = open.get(f.getKey());
      if (waiting != null) {
        waiting.remove(f.getValue());
      }
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> n : next.entrySet()) {
      TreeMap<Long, Boolean> waiting = open.get(n.getKey());
      long upTo = waiting == null || waiting.isEmpty() ? n.getValue() : waiting.firstKey();
      offsets.put(n.getKey(), new OffsetAndMetadata(upTo));
    }
    if (!offsets.isEmpty()) {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        LOG.warn("committing the webhook offsets failed ({}); engagements since may be sent again", e.toString());
      }
    }
  }

  private static Decision decode(ConsumerRecord<byte[], byte[]> r) {
    try {
      return RecordCodec.decision(r.value());
    } catch (RuntimeException e) {
      LOG.error("skipping a record of {} at {}-{} that is not a decision", r.topic(), r.partition(), r.offset(), e);
      return null;
    }
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
