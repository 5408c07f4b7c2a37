package io.nudge.kafka;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * How a node joins a Nudge cluster on Kafka.
 *
 * @param bootstrap the brokers, {@code host:port,...} ({@code NUDGE_KAFKA_BOOTSTRAP})
 * @param topicPrefix put before every topic's name ({@code NUDGE_KAFKA_TOPIC_PREFIX}, {@code nudge.})
 * @param partitions partitions of the partitioned topics when Nudge creates them: the most engine nodes
 *     that can share the work ({@code NUDGE_KAFKA_PARTITIONS}); fixed once the topics exist
 * @param replication replicas of each topic Nudge creates ({@code NUDGE_KAFKA_REPLICATION})
 * @param nodeId this node's name in the cluster ({@code NUDGE_NODE_ID})
 * @param roles what this node does: {@code ingest}, {@code engine}, {@code delivery} ({@code NUDGE_ROLES})
 * @param client more Kafka client settings, as Kafka names them: security, say, or other timeouts than
 *     Nudge's. Acknowledgements, idempotence and offset commits stay Nudge's
 */
public record ClusterSettings(String bootstrap, String topicPrefix, int partitions, short replication,
    String nodeId, Set<String> roles, Map<String, String> client) {

  public static final Set<String> ALL_ROLES = Set.of("ingest", "engine", "delivery");

  public ClusterSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("NUDGE_KAFKA_BOOTSTRAP is empty: name at least one broker, host:port");
    }
    if (partitions < 1 || partitions > 1024) {
      throw new IllegalArgumentException("NUDGE_KAFKA_PARTITIONS is " + partitions + ", must be 1 to 1024");
    }
    if (replication < 1) {
      throw new IllegalArgumentException("NUDGE_KAFKA_REPLICATION is " + replication + ", must be at least 1");
    }
    for (String r : roles) {
      if (!ALL_ROLES.contains(r)) {
        throw new IllegalArgumentException("NUDGE_ROLES names \"" + r + "\", which is none of ingest, engine, delivery");
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("NUDGE_ROLES is empty: name at least one of ingest, engine, delivery");
    }
    roles = Set.copyOf(roles);
    client = Map.copyOf(client);
  }

  public boolean has(String role) {
    return roles.contains(role);
  }

  public String topic(String name) {
    return topicPrefix + name;
  }

  /** The client settings every Kafka client of this node starts from. */
  Properties clientProperties(String clientSuffix) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("client.id", "nudge-" + nodeId + "-" + clientSuffix);
    p.putAll(client);
    return p;
  }
}
