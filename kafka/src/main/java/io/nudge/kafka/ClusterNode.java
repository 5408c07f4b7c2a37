package io.nudge.kafka;

import io.nudge.engine.Decision;
import io.nudge.engine.DecisionListener;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.InvalidInputException;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventCodec;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a Nudge cluster on Kafka, doing what its roles say.
 *
 * <ul>
 *   <li><b>ingest</b>: {@link #ingest} writes accepted events to the ingest topic, keyed by the id they
 *       name, and completes once the brokers have them: what an HTTP 200 means in a cluster.
 *   <li><b>engine</b>: in the {@code engine} consumer group, owns events partitions, one shard each:
 *       restores a partition's journeys from its changelog when assigned, saves them when revoked. In
 *       the {@code admit} group it reads the ingest topic, finds each event's customer and writes it to
 *       the customer's events partition. Decisions go to the decisions topic.
 *   <li><b>delivery</b>: see {@link DecisionFeed}.
 * </ul>
 *
 * Every node reads the identity, consent, rules and nodes topics whole ({@link ClusterState}).
 */
public final class ClusterNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  static final String CONTROL = "nudge";
  static final String MOVE_OUT = "move-out";
  static final String MOVE_IN = "move-in";
  static final String OTHER = "other";
  /** How far back a new owner of a partition reads its decisions: the contact policy's longest cap. */
  static final Duration DECISIONS_LOOKBACK = Duration.ofDays(7);
  /** How far back a new owner puts raw events back for rules that look back (as on a restart). */
  static final Duration RECENT_EVENTS = Duration.ofMinutes(10);

  private final ClusterSettings settings;
  private final int partitions;
  private final Producer<byte[], byte[]> producer;
  /** An engine node's producer of decisions and of its changelog; null on other nodes. */
  private Producer<byte[], byte[]> decisionsProducer;
  private final ClusterState state;
  private final ShardedEngine engine;
  private final KafkaJourneyStore journeys;
  private final EngineStore local;
  private final EngineSettings engineSettings;
  private final List<Thread> threads = new ArrayList<>();
  private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  private volatile String url = "";
  /** Why a loop of this node stopped; null while all run. */
  private volatile String failure;
  /** Reads assigned partitions' changelogs and decisions, several at once. */
  private final java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(4,
      r -> {
        Thread t = new Thread(r, "nudge-cluster-restore");
        t.setDaemon(true);
        return t;
      });
  private final java.util.concurrent.ScheduledExecutorService heartbeat =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nudge-cluster-status");
        t.setDaemon(true);
        return t;
      });

  private ClusterNode(ClusterSettings settings, int partitions, Producer<byte[], byte[]> producer,
      ClusterState state, ShardedEngine engine, KafkaJourneyStore journeys, EngineStore local,
      EngineSettings engineSettings) {
    this.settings = settings;
    this.partitions = partitions;
    this.producer = producer;
    this.state = state;
    this.engine = engine;
    this.journeys = journeys;
    this.local = local;
    this.engineSettings = engineSettings;
  }

  /**
   * Joins the cluster: creates the topics that are missing, reads the shared state, and starts what the
   * roles need. On an engine node, the rules the cluster runs are those in the rules topic; when it is
   * empty, {@code rules} are deployed to it.
   *
   * @param local the node's own store, for decisions and timelines (an engine node's)
   * @param listener told of every decision this node's shards make, after it is on the decisions topic's way
   */
  public static ClusterNode start(ClusterSettings settings, EngineSettings engineSettings, RulePack rules,
      EngineStore local, DecisionListener listener) {
    int partitions = Topics.ensure(settings, engineSettings.eventRetention().toMillis());
    Producer<byte[], byte[]> producer = Kafka.producer(settings, "producer");
    Producer<byte[], byte[]> decisionsProducer = null;
    try {
      ClusterState state = ClusterState.load(settings, producer, partitions);
      ShardedEngine engine = null;
      KafkaJourneyStore journeys = null;
      if (settings.has("engine")) {
        RulePack running = state.rules().orElse(null);
        if (running == null) {
          state.publishRules(rules);
          running = rules;
        }
        // decisions and the changelog have a producer of their own: a save flushes it, so that every decision
        // before a checkpoint is on the brokers first, without waiting for the ingest traffic
        decisionsProducer = Kafka.producer(settings, "decisions");
        Producer<byte[], byte[]> decided = decisionsProducer;
        journeys = new KafkaJourneyStore(decided, settings);
        ClusterStore store = new ClusterStore(new KafkaEventLog(producer, settings.topic(Topics.EVENTS), partitions,
            engineSettings.clock(), settings.topic(Topics.INGEST), engineSettings.eventRetention().toMillis()), journeys,
            state.consent(), state.identities(), local);
        String decisionsTopic = settings.topic(Topics.DECISIONS);
        DecisionListener toKafka = d -> {
          String customer = d.engagement().customerId();
          Kafka.send(decided, new ProducerRecord<>(decisionsTopic, ShardedEngine.shardIndex(customer, partitions),
              Kafka.utf8(customer), RecordCodec.decision(d)));
          listener.onDecision(d);
        };
        ClusterNode[] self = new ClusterNode[1];
        engine = ShardedEngine.startClustered(engineSettings.withShards(partitions), running, toKafka, store,
            new ShardedEngine.Crossings() {
              @Override
              public void moveOut(String from, String into) {
                self[0].sendControl(from, MOVE_OUT, into, new byte[0]);
              }

              @Override
              public void moveIn(String into, String from, byte[] snapshot) {
                self[0].sendControl(into, MOVE_IN, from, snapshot);
              }
            });
        state.follow(engine);
        ClusterNode node = new ClusterNode(settings, partitions, producer, state, engine, journeys, local,
            engineSettings);
        node.decisionsProducer = decisionsProducer;
        self[0] = node;
        state.start();
        node.startEngineLoops();
        node.startStatus();
        return node;
      }
      ClusterNode node = new ClusterNode(settings, partitions, producer, state, null, null, local, engineSettings);
      state.follow(new io.nudge.engine.identity.IdentityRegistry(state.identities(), engineSettings.clock()));
      state.start();
      node.startStatus();
      return node;
    } catch (RuntimeException e) {
      producer.close(Duration.ofSeconds(5));
      if (decisionsProducer != null) {
        decisionsProducer.close(Duration.ofSeconds(5));
      }
      throw e;
    }
  }

  /** The engine of an engine node; empty on a node without the engine role. */
  public java.util.Optional<ShardedEngine> engine() {
    return java.util.Optional.ofNullable(engine);
  }

  /** The cluster's shared state as this node reads it: identities, rules, nodes. */
  public ClusterState state() {
    return state;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /** Why this node no longer does its work (a loop stopped); empty while it does. */
  public java.util.Optional<String> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  /** Where the other nodes reach this node's HTTP API, reported with its status from now on. */
  public void advertise(String url) {
    this.url = url;
  }

  /** The partitions of the partitioned topics: a customer's is {@link ShardedEngine#shardIndex}. */
  public int partitions() {
    return partitions;
  }

  /** The events partitions (shards) this node owns now. */
  public Set<Integer> ownedPartitions() {
    return Set.copyOf(owned);
  }

  /**
   * Writes accepted events to the ingest topic, keyed by the id each names, so one visitor's events stay
   * in order.
   *
   * @return completes once the brokers have every event; fails when they could not take one
   */
  public CompletableFuture<Void> ingest(List<Event> events, long receivedAt) {
    List<CompletableFuture<?>> sent = new ArrayList<>(events.size());
    String topic = settings.topic(Topics.INGEST);
    for (Event e : events) {
      String key = IngestKeys.of(e);
      sent.add(Kafka.send(producer, new ProducerRecord<>(topic, Kafka.utf8(key),
          EventCodec.encode(new LoggedEvent(0, receivedAt, key, e)))));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /** Deploys a rule pack to every node: it goes to the rules topic, and each node runs it once read. */
  public CompletableFuture<Void> deploy(RulePack pack) {
    return state.publishRules(pack);
  }

  private void sendControl(String key, String kind, String other, byte[] value) {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(settings.topic(Topics.EVENTS),
        ShardedEngine.shardIndex(key, partitions), Kafka.utf8(key), value);
    r.headers().add(new RecordHeader(CONTROL, Kafka.utf8(kind)));
    r.headers().add(new RecordHeader(OTHER, Kafka.utf8(other)));
    Kafka.send(producer, r).exceptionally(e -> {
      LOG.error("could not write a {} of customer {} to Kafka; the customer stays where it is", kind, key, e);
      return null;
    });
  }

  private void startEngineLoops() {
    KafkaConsumer<byte[], byte[]> events = Kafka.consumer(settings, "engine", settings.topicPrefix() + "engine");
    KafkaConsumer<byte[], byte[]> admit = Kafka.consumer(settings, "admit", settings.topicPrefix() + "admit");
    threads.add(thread("nudge-cluster-engine", events, () -> engineLoop(events)));
    threads.add(thread("nudge-cluster-admit", admit, () -> admitLoop(admit)));
  }

  /** A loop on its own thread; its consumer is closed there (leaving the group saves the partitions). */
  private Thread thread(String name, KafkaConsumer<byte[], byte[]> consumer, Runnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException | Error e) {
        if (running) {
          // the node is of no use without the loop: it says so (readiness, status) so it is replaced
          failure = name + " stopped: " + e;
          heartbeat.shutdownNow();
          LOG.error("{} stopped; this node reports itself failed and is no longer counted alive by the others",
              name, e);
        }
      } finally {
        try {
          consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(30)));
        } catch (RuntimeException e) {
          LOG.warn("closing {}'s consumer: {}", name, e.toString());
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void engineLoop(KafkaConsumer<byte[], byte[]> consumer) {
    String topic = settings.topic(Topics.EVENTS);
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        for (TopicPartition tp : revoked) {
          release(tp.partition(), true);
        }
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        for (TopicPartition tp : lost) {
          release(tp.partition(), false); // another node may own it already: nothing is saved
        }
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        // each partition's changelog and decisions are read at once, on threads of their own
        Map<TopicPartition, CompletableFuture<Taken>> reading = new HashMap<>();
        for (TopicPartition tp : assigned) {
          reading.put(tp, CompletableFuture.supplyAsync(() -> read(tp.partition()), readers));
        }
        for (TopicPartition tp : assigned) {
          consumer.seek(tp, take(tp.partition(), reading.get(tp).join(), consumer));
        }
      }
    });
    Set<TopicPartition> paused = new java.util.HashSet<>();
    while (running) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
      for (TopicPartition tp : records.partitions()) {
        handOn(tp.partition(), records.records(tp));
      }
      // a shard that falls behind stops its partition being read, not the others
      for (TopicPartition tp : consumer.assignment()) {
        int queued = engine.queued(tp.partition());
        if (queued > engineSettings.queueCapacity() && paused.add(tp)) {
          consumer.pause(List.of(tp));
        } else if (queued < engineSettings.queueCapacity() / 2 && paused.remove(tp)) {
          consumer.resume(List.of(tp));
        }
      }
      paused.retainAll(consumer.assignment());
    }
  }

  /** What was read of a partition before taking it over. */
  private record Taken(KafkaJourneyStore.Restored restored, int decisions, long started) {}

  private Taken read(int partition) {
    long started = System.nanoTime();
    return new Taken(journeys.read(partition), refillDecisions(partition), started);
  }

  /** Takes a partition over with what was read of it, and returns the offset to read it from. */
  private long take(int partition, Taken taken, KafkaConsumer<byte[], byte[]> consumer) {
    long started = taken.started();
    KafkaJourneyStore.Restored restored = taken.restored();
    int decisions = taken.decisions();
    engine.own(partition, restored.checkpoint(), restored.snapshots()).join();
    owned.add(partition);
    TopicPartition tp = new TopicPartition(settings.topic(Topics.EVENTS), partition);
    long recent = engineSettings.clock().millis() - RECENT_EVENTS.toMillis();
    Map<TopicPartition, OffsetAndTimestamp> at = consumer.offsetsForTimes(Map.of(tp, recent));
    OffsetAndTimestamp first = at.get(tp);
    // the checkpoint is a sequence: offsets below it are in the snapshots
    long from = first == null ? restored.checkpoint() : Math.min(restored.checkpoint(), first.offset());
    LOG.info("node {} took partition {} over: {} journeys, {} decisions, checkpoint {}, reading from offset {} ({} ms)",
        settings.nodeId(), partition, restored.snapshots().size(), decisions, restored.checkpoint(), from,
        (System.nanoTime() - started) / 1_000_000);
    return from;
  }

  /** Puts the partition's recent decisions into the node's own log, for the caps and explanations. */
  private int refillDecisions(int partition) {
    TopicPartition tp = new TopicPartition(settings.topic(Topics.DECISIONS), partition);
    long since = engineSettings.clock().millis() - DECISIONS_LOOKBACK.toMillis();
    int[] n = {0};
    Kafka.readToEnd(settings, List.of(tp), null, since, r -> {
      Decision d = RecordCodec.decision(r.value());
      if (!local.decisions().contains(d.engagement().customerId(), d.engagement().id())) {
        local.decisions().append(d);
        n[0]++;
      }
    });
    return n[0];
  }

  private void release(int partition, boolean save) {
    if (!owned.remove(partition)) {
      return;
    }
    try {
      if (save) {
        engine.disown(partition).get(60, TimeUnit.SECONDS);
      } else {
        engine.drop(partition).get(60, TimeUnit.SECONDS);
      }
      LOG.info("node {} gave partition {} up{}", settings.nodeId(), partition,
          save ? ", journeys saved" : " (lost: not saved)");
    } catch (Exception e) {
      LOG.error("giving partition {} up failed; its next owner replays from the last checkpoint", partition, e);
    }
  }

  /** Hands a partition's records to its shard in order: events in runs, moves one by one. */
  private void handOn(int partition, List<ConsumerRecord<byte[], byte[]>> records) {
    List<LoggedEvent> run = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String control = Kafka.header(r, CONTROL);
      long sequence = r.offset() + 1;
      if (control == null) {
        LoggedEvent stored;
        try {
          stored = EventCodec.decode(sequence, r.value());
        } catch (RuntimeException e) {
          LOG.error("skipping a record of partition {} at offset {} that is not an event", partition, r.offset(), e);
          continue;
        }
        run.add(new LoggedEvent(sequence, r.timestamp(), stored.customerId(), stored.event()));
        continue;
      }
      engine.dispatch(partition, run);
      run = new ArrayList<>();
      String key = Kafka.text(r.key());
      String other = Kafka.header(r, OTHER);
      if (MOVE_OUT.equals(control)) {
        engine.moveOutRequested(partition, key, other, sequence);
      } else if (MOVE_IN.equals(control)) {
        engine.moveInRequested(partition, key, other, r.value(), sequence);
      }
    }
    engine.dispatch(partition, run);
  }

  private void admitLoop(KafkaConsumer<byte[], byte[]> consumer) {
    consumer.subscribe(List.of(settings.topic(Topics.INGEST)));
    while (running) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
      if (records.isEmpty()) {
        continue;
      }
      List<Event> events = new ArrayList<>(records.count());
      for (ConsumerRecord<byte[], byte[]> r : records) {
        try {
          events.add(EventCodec.decode(r.offset() + 1, r.value()).event());
        } catch (RuntimeException e) {
          LOG.error("skipping a record of the ingest topic at {}-{} that is not an event", r.partition(), r.offset(), e);
        }
      }
      admit(events);
      try {
        consumer.commitSync(); // only once every event is on its customer's partition: at least once
      } catch (org.apache.kafka.clients.consumer.CommitFailedException
          | org.apache.kafka.common.errors.RebalanceInProgressException e) {
        // the partitions moved meanwhile: their next owner routes these events again, and the shards drop
        // the repeats by their messageId
        LOG.warn("could not commit the ingest offsets ({}); the events may be routed twice", e.toString());
      }
    }
  }

  /** Routes events to their customers' partitions; waits until the brokers have them, retrying. */
  private void admit(List<Event> events) {
    for (int attempt = 1; running; attempt++) {
      try {
        engine.submit(events, NudgeEngine.Ack.DURABLE).get(60, TimeUnit.SECONDS);
        return;
      } catch (InvalidInputException e) {
        if (events.size() == 1) {
          LOG.warn("dropping an event the engine refuses: {}", e.getMessage());
          return;
        }
        for (Event one : events) {
          admit(List.of(one)); // the others still go
        }
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warn("could not route {} events to their partitions (attempt {}), retrying: {}", events.size(),
            attempt, e.toString());
        sleep(Math.min(5_000, 100L * attempt));
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startStatus() {
    heartbeat.scheduleWithFixedDelay(() -> {
      try {
        state.publishStatus(new ClusterState.NodeStatus(settings.nodeId(), settings.roles(),
            engine == null ? "" : engine.rules().version(), new java.util.TreeSet<>(owned),
            engineSettings.clock().millis(), url));
      } catch (RuntimeException e) {
        LOG.warn("could not publish this node's status: {}", e.toString());
      }
    }, 0, 2, TimeUnit.SECONDS);
  }

  /** Gives the partitions up (saving their journeys), leaves the group, stops. */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    readers.shutdown();
    running = false;
    for (Thread t : threads) {
      try {
        t.join(60_000); // each loop closes its consumer: the partitions are revoked and saved
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    state.close();
    if (engine != null) {
      engine.close();
    }
    producer.close(Duration.ofSeconds(10));
    if (decisionsProducer != null) {
      decisionsProducer.close(Duration.ofSeconds(10));
    }
  }
}
