package io.nudge.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The cluster's topics. The partitioned ones share one partition count and one key (the customer), so
 * partition {@code p} of each holds the same customers: an engine node that owns events partition
 * {@code p} owns the journeys, decisions and shard {@code p}.
 */
public final class Topics {
  /** Events as the ingest nodes took them, keyed by the id they name (anonymousId, else userId, else email). */
  public static final String INGEST = "ingest";
  /** Events routed to their customer: partition = shard; the engine's event log. */
  public static final String EVENTS = "events";
  /** Journey snapshots and each partition's checkpoint: compacted, the shards' changelog. */
  public static final String JOURNEYS = "journeys";
  /** Every decision, keyed by customer: delivery reads the sent ones, a new owner the recent ones. */
  public static final String DECISIONS = "decisions";
  /** Identity links, keyed by id: compacted, read whole by every node. */
  public static final String IDENTITY = "identity";
  /** Consent choices, keyed by customer and purpose: compacted, read whole by every node. */
  public static final String CONSENT = "consent";
  /** The rule pack every node runs: compacted, one partition. */
  public static final String RULES = "rules";
  /** Each node's status (roles, rules version, partitions): compacted, one partition. */
  public static final String NODES = "nodes";

  /** Erasure notices, so every node removes its own copies of an erased customer: 7 days. */
  public static final String ERASURES = "erasures";

  private Topics() {}

  /** How long the events topic keeps events: the event retention, and at least a day. */
  static long eventsRetentionMillis(long eventRetentionMillis) {
    return Math.max(eventRetentionMillis, TimeUnit.DAYS.toMillis(1));
  }

  /**
   * Creates the topics that are missing and checks those there: the partitioned ones must all have the
   * same partition count. Returns that count.
   */
  public static int ensure(ClusterSettings settings, long eventRetentionMillis) {
    Map<String, Map<String, String>> configs = new HashMap<>();
    String week = Long.toString(TimeUnit.DAYS.toMillis(7));
    String events = Long.toString(eventsRetentionMillis(eventRetentionMillis));
    // as received, personal fields included: kept only as long as admission could need to catch up
    configs.put(INGEST, Map.of("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(1))));
    configs.put(EVENTS, Map.of("retention.ms", events, "message.timestamp.type", "LogAppendTime"));
    configs.put(JOURNEYS, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000"));
    configs.put(DECISIONS, Map.of("retention.ms", week));
    configs.put(IDENTITY, Map.of("cleanup.policy", "compact"));
    configs.put(CONSENT, Map.of("cleanup.policy", "compact"));
    configs.put(RULES, Map.of("cleanup.policy", "compact"));
    configs.put(ERASURES, Map.of("retention.ms", week));
    configs.put(NODES, Map.of("cleanup.policy", "compact", "segment.ms", "3600000"));
    List<String> partitioned = List.of(INGEST, EVENTS, JOURNEYS, DECISIONS, IDENTITY, CONSENT);
    try (Admin admin = Admin.create(settings.clientProperties("admin"))) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (Map.Entry<String, Map<String, String>> t : configs.entrySet()) {
        String name = settings.topic(t.getKey());
        if (!existing.contains(name)) {
          int partitions = partitioned.contains(t.getKey()) ? settings.partitions() : 1;
          missing.add(new NewTopic(name, partitions, settings.replication()).configs(t.getValue()));
        }
      }
      for (NewTopic t : missing) {
        try {
          admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e; // another node creating it at the same time is fine
          }
        }
      }
      List<String> names = partitioned.stream().map(settings::topic).toList();
      Map<String, TopicDescription> described = null;
      for (int attempt = 1; described == null; attempt++) {
        try {
          described = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || attempt == 50) {
            throw e;
          }
          Thread.sleep(100); // a topic just created is not known to every broker at once
        }
      }
      int count = described.get(settings.topic(EVENTS)).partitions().size();
      for (TopicDescription d : described.values()) {
        if (d.partitions().size() != count) {
          throw new IllegalStateException("topic " + d.name() + " has " + d.partitions().size()
              + " partitions and " + settings.topic(EVENTS) + " has " + count
              + ": the partitioned topics must have the same count (NUDGE_KAFKA_PARTITIONS)");
        }
      }
      return count;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the Kafka topics", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create or read the Kafka topics at " + settings.bootstrap()
          + " (NUDGE_KAFKA_BOOTSTRAP): " + (e.getCause() == null ? e : e.getCause()), e);
    }
  }
}
