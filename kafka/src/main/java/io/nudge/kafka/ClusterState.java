package io.nudge.kafka;

import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.Binary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node of a cluster reads whole and keeps following: identity links, consent, the rule pack
 * and the nodes' status, each on its compacted topic.
 */
public final class ClusterState implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);
  private static final byte[] PACK = Kafka.utf8("pack");

  /**
   * What a node reports of itself every two seconds.
   *
   * @param url where its HTTP API is reached by the other nodes; empty until it listens
   */
  public record NodeStatus(String node, Set<String> roles, String rules, SortedSet<Integer> partitions, long at,
      String url) {}

  /** Ids of an erased customer, for every node to remove its own copies: ids only, kept 7 days. */
  public record ErasureNotice(Set<String> customerIds, Set<String> anonymousIds, Set<String> engagementIds) {}

  private volatile java.util.function.Consumer<ErasureNotice> onErasure = n -> { };
  private volatile java.util.function.Consumer<RulePack> onRules = p -> { };
  private final ClusterSettings settings;
  private final Producer<byte[], byte[]> producer;
  private final KafkaIdentityStore identities;
  private final KafkaConsentStore consent;
  private final Map<TopicPartition, Long> rulesTo;
  private volatile RulePack rules;
  private final Map<String, NodeStatus> nodes = new ConcurrentHashMap<>();
  private volatile ShardedEngine engine;
  private volatile io.nudge.engine.identity.IdentityRegistry registry;
  private volatile boolean running = true;
  private Thread follower;

  private ClusterState(ClusterSettings settings, Producer<byte[], byte[]> producer,
      KafkaIdentityStore identities, KafkaConsentStore consent, Map<TopicPartition, Long> rulesTo, RulePack rules) {
    this.settings = settings;
    this.producer = producer;
    this.identities = identities;
    this.consent = consent;
    this.rulesTo = rulesTo;
    this.rules = rules;
  }

  static ClusterState load(ClusterSettings settings, Producer<byte[], byte[]> producer, int partitions) {
    KafkaIdentityStore identities = KafkaIdentityStore.load(producer, settings, partitions);
    KafkaConsentStore consent = KafkaConsentStore.load(producer, settings, partitions);
    byte[][] latest = new byte[1][];
    Map<TopicPartition, Long> rulesTo = Kafka.readToEnd(settings,
        List.of(new TopicPartition(settings.topic(Topics.RULES), 0)), null, r -> latest[0] = r.value());
    RulePack rules = latest[0] == null ? null : decodeRules(latest[0]);
    return new ClusterState(settings, producer, identities, consent, rulesTo, rules);
  }

  KafkaIdentityStore identities() {
    return identities;
  }

  KafkaConsentStore consent() {
    return consent;
  }

  /** The rule pack the cluster runs, as this node read it last; empty before any was deployed. */
  public Optional<RulePack> rules() {
    return Optional.ofNullable(rules);
  }

  /** Every node that reported, by node id; a node gone stops reporting (see {@link NodeStatus#at}). */
  public Map<String, NodeStatus> nodes() {
    return Map.copyOf(nodes);
  }

  /** The engine that runs the rule packs and identity links read from now on. */
  void follow(ShardedEngine engine) {
    this.engine = engine;
    follow(engine.identities());
  }

  /** The registry the identity links read from now on go to (a node without the engine role). */
  void follow(io.nudge.engine.identity.IdentityRegistry registry) {
    this.registry = registry;
    identities.follow(registry);
  }

  /** The identity links as this node knows them: every node's, in the topic's order. */
  public io.nudge.engine.identity.IdentityRegistry registry() {
    return registry;
  }

  CompletableFuture<Void> publishRules(RulePack pack) {
    byte[] value = Binary.write(w -> {
      w.text(pack.version());
      w.value(new LinkedHashMap<>(pack.files()));
    });
    return Kafka.send(producer, new ProducerRecord<>(settings.topic(Topics.RULES), 0, PACK, value)).thenApply(m -> null);
  }

  /** Tells every node (this one too) to remove what it keeps of an erased customer. */
  public CompletableFuture<Void> announceErasure(io.nudge.engine.Erasure e) {
    byte[] value = Binary.write(w -> {
      w.texts(List.copyOf(e.customerIds()));
      w.texts(List.copyOf(e.anonymousIds()));
      w.texts(List.copyOf(e.engagementIds()));
    });
    return Kafka.send(producer, new ProducerRecord<>(settings.topic(Topics.ERASURES), 0, Kafka.utf8(e.customerId()),
        value)).thenApply(m -> null);
  }

  /** Told of every rule pack read from the rules topic, once the engine runs it. */
  public void onRules(java.util.function.Consumer<RulePack> handler) {
    this.onRules = handler;
  }

  /** Told of every erasure notice read, also those of the last 7 days when the node starts. */
  public void onErasure(java.util.function.Consumer<ErasureNotice> handler) {
    this.onErasure = handler;
  }

  void publishStatus(NodeStatus s) {
    String text = s.node() + '\n' + String.join(",", new java.util.TreeSet<>(s.roles())) + '\n' + s.rules() + '\n'
        + s.partitions().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("") + '\n' + s.at()
        + '\n' + s.url();
    Kafka.send(producer, new ProducerRecord<>(settings.topic(Topics.NODES), 0, Kafka.utf8(s.node()), Kafka.utf8(text)));
  }

  private static RulePack decodeRules(byte[] value) {
    Map<String, String> files = new LinkedHashMap<>();
    Binary.read(value, r -> {
      r.text(); // the version: the pack's own, from its files
      r.map().forEach((name, text) -> files.put(name, String.valueOf(text)));
      return null;
    });
    return RulePack.compile(files);
  }

  /** Starts following the topics from where the load stopped. */
  void start() {
    follower = new Thread(this::follow, "nudge-cluster-state");
    follower.setDaemon(true);
    follower.start();
  }

  private void follow() {
    try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(settings, "state", null)) {
      Map<TopicPartition, Long> from = new HashMap<>(identities.loadedTo());
      from.putAll(consent.loadedTo());
      from.putAll(rulesTo);
      List<TopicPartition> all = new ArrayList<>(from.keySet());
      TopicPartition nodesPartition = new TopicPartition(settings.topic(Topics.NODES), 0);
      TopicPartition erasures = new TopicPartition(settings.topic(Topics.ERASURES), 0);
      all.add(nodesPartition);
      all.add(erasures);
      consumer.assign(all);
      from.forEach(consumer::seek);
      consumer.seekToBeginning(List.of(nodesPartition, erasures));
      String erasuresTopic = erasures.topic();
      String identityTopic = settings.topic(Topics.IDENTITY);
      String consentTopic = settings.topic(Topics.CONSENT);
      String rulesTopic = settings.topic(Topics.RULES);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            if (r.topic().equals(identityTopic)) {
              identities.apply(r);
            } else if (r.topic().equals(consentTopic)) {
              consent.apply(r);
            } else if (r.topic().equals(rulesTopic)) {
              applyRules(r.value());
            } else if (r.topic().equals(erasuresTopic)) {
              applyErasure(r.value());
            } else {
              applyStatus(r);
            }
          } catch (RuntimeException e) {
            LOG.error("skipping a record of {} at {}-{} that could not be applied", r.topic(), r.partition(),
                r.offset(), e);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("following the cluster's shared topics stopped: identity links, consent and rules from other "
            + "nodes no longer reach this node", e);
      }
    }
  }

  private void applyRules(byte[] value) {
    if (value == null) {
      return;
    }
    RulePack pack = decodeRules(value);
    rules = pack;
    ShardedEngine e = engine;
    if (e != null && !pack.version().equals(e.rules().version())) {
      e.reload(pack).join();
      LOG.info("rules {} deployed from the cluster's rules topic", pack.version());
    }
    onRules.accept(pack);
  }

  private void applyErasure(byte[] value) {
    ErasureNotice notice = Binary.read(value, r -> new ErasureNotice(Set.copyOf(r.texts()), Set.copyOf(r.texts()),
        Set.copyOf(r.texts())));
    onErasure.accept(notice);
  }

  private void applyStatus(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      nodes.remove(Kafka.text(r.key()));
      return;
    }
    String[] f = Kafka.text(r.value()).split("\n", -1);
    SortedSet<Integer> partitions = new java.util.TreeSet<>();
    for (String p : f[3].split(",")) {
      if (!p.isEmpty()) {
        partitions.add(Integer.parseInt(p));
      }
    }
    nodes.put(f[0], new NodeStatus(f[0], Set.of(f[1].split(",")), f[2], partitions, Long.parseLong(f[4]),
        f.length > 5 ? f[5] : ""));
  }

  @Override
  public void close() {
    running = false;
    if (follower != null) {
      try {
        follower.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
