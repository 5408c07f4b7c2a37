package io.nudge.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka node, broker and KRaft controller in one, running in this JVM for tests. It listens on a
 * free localhost port and keeps its logs in a temporary directory, deleted on {@link #close}.
 *
 * <pre>{@code
 * try (TestBroker broker = TestBroker.start()) {
 *   broker.createTopic("events", 3, Map.of());
 *   ... broker.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class TestBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestBroker.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * Settings for a single node: internal topics with one replica (and one partition, quicker to
   * create), rebalances without delay, and only the released protocol versions, as a real broker.
   */
  private static final Map<String, String> SETTINGS = Map.ofEntries(
      Map.entry("offsets.topic.replication.factor", "1"),
      Map.entry("offsets.topic.num.partitions", "1"),
      Map.entry("transaction.state.log.replication.factor", "1"),
      Map.entry("transaction.state.log.min.isr", "1"),
      Map.entry("transaction.state.log.num.partitions", "1"),
      Map.entry("group.initial.rebalance.delay.ms", "0"),
      // consumers with group.protocol=consumer heartbeat every 500 ms, not every 5 s
      Map.entry("group.consumer.min.heartbeat.interval.ms", "500"),
      Map.entry("group.consumer.heartbeat.interval.ms", "500"),
      // the test kit turns these on; a released broker has them off
      Map.entry("unstable.api.versions.enable", "false"),
      Map.entry("unstable.feature.versions.enable", "false"));

  private final Path directory;
  private final KafkaClusterTestKit cluster;
  private final Admin admin;

  private TestBroker(Path directory, KafkaClusterTestKit cluster, Admin admin) {
    this.directory = directory;
    this.cluster = cluster;
    this.admin = admin;
  }

  /** Starts a node and returns once it takes requests. */
  public static TestBroker start() {
    long started = System.nanoTime();
    Path directory;
    try {
      directory = Files.createTempDirectory("nudge-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KafkaClusterTestKit cluster = null;
    Admin admin = null;
    try {
      TestKitNodes nodes = new TestKitNodes.Builder(productionMetadata())
          .setCombined(true)
          .setNumBrokerNodes(1)
          .setNumControllerNodes(1)
          .setBaseDirectory(directory)
          .build();
      KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
      SETTINGS.forEach(builder::setConfigProp);
      cluster = builder.build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      admin = cluster.admin();
      admin.describeCluster().nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("Kafka test broker at {} started in {} ms", cluster.bootstrapServers(),
          (System.nanoTime() - started) / 1_000_000);
      return new TestBroker(directory, cluster, admin);
    } catch (Exception e) {
      if (admin != null) {
        admin.close(Duration.ZERO);
      }
      closeQuietly(cluster);
      delete(directory);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the Kafka test broker did not start", e);
    }
  }

  /**
   * The metadata version and feature levels a released broker formats its storage with; the test kit's
   * default is the newest, still unreleased ones.
   */
  private static BootstrapMetadata productionMetadata() {
    MetadataVersion version = MetadataVersion.latestProduction();
    Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
        .collect(Collectors.toMap(Feature::featureName, f -> f.defaultLevel(version)));
    return BootstrapMetadata.fromVersions(version, features, "nudge test broker");
  }

  /** The {@code bootstrap.servers} of clients: {@code localhost:port}. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * Creates a topic with one replica per partition and returns once every partition has a leader.
   *
   * @param configs topic settings, such as {@code cleanup.policy=compact}; may be empty
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
    await(admin.createTopics(List.of(topic)).all());
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      TopicDescription description;
      try {
        description = await(admin.describeTopics(List.of(name)).topicNameValues().get(name));
      } catch (IllegalStateException e) {
        description = null; // not in the broker's metadata yet
      }
      if (description != null && description.partitions().size() == partitions
          && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + name + " has no leader for every partition after " + TIMEOUT);
      }
      sleep(50);
    }
  }

  /** Stops the node and deletes its logs. */
  @Override
  public void close() {
    long started = System.nanoTime();
    try {
      admin.close(Duration.ofSeconds(5));
    } finally {
      closeQuietly(cluster);
      delete(directory);
    }
    LOG.info("Kafka test broker stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static <T> T await(KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from the Kafka test broker in " + TIMEOUT, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } catch (Exception e) {
      LOG.warn("the Kafka test broker did not stop cleanly", e);
    }
  }

  private static void delete(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete {}", directory, e);
    }
  }
}
