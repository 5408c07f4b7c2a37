package io.nudge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.store.RecordCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Engine nodes on a real Kafka broker, in this JVM: events ingested on one node are decided on the
 * node that owns the customer's partition; a node that leaves hands its journeys over; an identity
 * merge moves a journey across partitions through Kafka; a rule deployment reaches every node.
 */
final class ClusterNodeTest {
  private static final int PARTITIONS = 4;
  private static final RulePack PACK = pack("help", "/help");
  private static TestBroker broker;
  private static int clusters;

  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<Decision> heard = new CopyOnWriteArrayList<>();
  private String prefix;
  private int messages;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @AfterEach
  void stopNodes() {
    for (ClusterNode n : nodes) {
      n.close();
    }
  }

  private static RulePack pack(String rule, String path) {
    return RulePack.compile(Map.of("cluster.drl", """
        package nudge.test;
        import io.nudge.engine.facts.*;
        global io.nudge.engine.facts.Actions nudge;

        rule "%s" @reason("test reason") @dataUsed("test data")
        when
          Journey( $c : customerId, currentPath == "%s" )
          not Offer( customerId == $c, rule == "%s" )
        then
          nudge.tip("Help", "Ask us anything.");
        end
        """.formatted(rule, path, rule)));
  }

  private ClusterNode node(String id) {
    return node(id, ContactPolicy.none());
  }

  private ClusterNode node(String id, ContactPolicy policy) {
    if (prefix == null) {
      prefix = "t" + (++clusters) + ".";
    }
    ClusterSettings settings = new ClusterSettings(broker.bootstrapServers(), prefix, PARTITIONS, (short) 1, id,
        Set.of("ingest", "engine"), Map.of());
    EngineSettings engine = EngineSettings.defaults().withPolicy(policy).withTick(Duration.ofMillis(20));
    ClusterNode node = ClusterNode.start(settings, engine, PACK, new MemoryStore(InstantSource.system()), heard::add);
    nodes.add(node);
    return node;
  }

  private Event page(String anonymousId, String userId, String path) {
    Event.Page page = new Event.Page(path, null, null, null, null);
    return new Event("m" + (++messages), "web", Event.EventType.PAGE, anonymousId, userId, null, null,
        Map.of("path", path), Map.of(), Instant.now(), new Event.EventContext(page, null, null, null, null,
            Map.of(Purpose.PERSONALIZATION, true, Purpose.PROACTIVE_CHAT, true)));
  }

  private Event identify(String anonymousId, String userId) {
    return new Event("m" + (++messages), "web", Event.EventType.IDENTIFY, anonymousId, userId, null, null,
        Map.of(), Map.of(), Instant.now(), null);
  }

  private static <T> T await(String what, Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Optional<T> got = probe.get();
      if (got.isPresent()) {
        return got.get();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  /** The node owning the customer's partition, once one does. */
  private ClusterNode ownerOf(String customerId) {
    int partition = ShardedEngine.shardIndex(customerId, PARTITIONS);
    return await("an owner of partition " + partition, () -> nodes.stream()
        .filter(n -> n.ownedPartitions().contains(partition)).findFirst());
  }

  private Optional<Journey> journey(String customerId) {
    try {
      return ownerOf(customerId).engine().orElseThrow().journey(customerId).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void allPartitionsOwned() {
    await("every partition owned", () -> nodes.stream().mapToInt(n -> n.ownedPartitions().size()).sum() == PARTITIONS
        ? Optional.of(true) : Optional.empty());
  }

  @Test
  void anEventIngestedOnOneNode_isDecidedByTheOwnerOfItsCustomer_andTheDecisionIsOnTheDecisionsTopic()
      throws Exception {
    ClusterNode a = node("a");
    node("b");
    allPartitionsOwned();

    a.ingest(List.of(page("ann", null, "/help")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);

    Decision d = await("a decision", () -> heard.stream().findFirst());
    assertThat(d.engagement().customerId()).isEqualTo("ann");
    assertThat(d.engagement().rule()).isEqualTo("help");
    List<Decision> onTopic = new ArrayList<>();
    int partition = ShardedEngine.shardIndex("ann", PARTITIONS);
    await("the decision on the topic", () -> {
      onTopic.clear();
      Kafka.readToEnd(a.settings(), List.of(new TopicPartition(prefix + Topics.DECISIONS, partition)), null,
          r -> onTopic.add(RecordCodec.decision(r.value())));
      return onTopic.isEmpty() ? Optional.empty() : Optional.of(true);
    });
    assertThat(onTopic).extracting(x -> x.engagement().id()).containsExactly(d.engagement().id());
  }

  @Test
  void aNodeThatLeaves_handsItsJourneysOver_andTheNextOwnerGoesOnFromThem() throws Exception {
    ClusterNode a = node("a");
    allPartitionsOwned();
    for (int i = 0; i < 3; i++) {
      a.ingest(List.of(page("bob", null, "/products/" + i)), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    }
    await("bob's three pages", () -> journey("bob").filter(j -> j.getPageViewsThisSession() == 3));

    ClusterNode b = node("b");
    a.close();
    nodes.remove(a);
    // a saved bob's journey to the changelog, with a checkpoint past his three events
    KafkaJourneyStore.Restored saved = new KafkaJourneyStore(null, a.settings())
        .read(ShardedEngine.shardIndex("bob", PARTITIONS));
    assertThat(saved.snapshots()).containsKey("bob");
    assertThat(saved.checkpoint()).isGreaterThanOrEqualTo(3);
    await("b owns every partition", () -> b.ownedPartitions().size() == PARTITIONS ? Optional.of(true) : Optional.empty());
    b.ingest(List.of(page("bob", null, "/help")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);

    Journey j = await("bob's fourth page", () -> journey("bob").filter(x -> x.getPageViewsThisSession() == 4));
    assertThat(j.getRecentPaths()).contains("/products/0", "/products/2", "/help");
    assertThat(await("the help tip", () -> heard.stream().filter(d -> d.engagement().customerId().equals("bob"))
        .findFirst()).engagement().rule()).isEqualTo("help");
  }

  @Test
  void anAskStillInItsArbitrationWindow_whenItsNodeLeaves_isDecidedBeforeTheJourneysAreHandedOver()
      throws Exception {
    ClusterNode a = node("a", ContactPolicy.none().withArbitrationWindow(Duration.ofSeconds(30)));
    allPartitionsOwned();
    a.ingest(List.of(page("cy", null, "/help")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    await("cy's help page applied, its tip asked", () -> journey("cy").filter(j -> "/help".equals(j.getCurrentPath())));
    assertThat(heard).as("nothing decided within the window").isEmpty();

    ClusterNode b = node("b");
    a.close(); // long before the window ends: the next owner restores cy's offer, not the ask
    nodes.remove(a);

    assertThat(heard).as("decided while a gave the partition up").extracting(d -> d.engagement().customerId(),
        d -> d.engagement().rule()).containsExactly(org.assertj.core.groups.Tuple.tuple("cy", "help"));
    List<Decision> onTopic = new ArrayList<>();
    Kafka.readToEnd(b.settings(), List.of(new TopicPartition(prefix + Topics.DECISIONS,
        ShardedEngine.shardIndex("cy", PARTITIONS))), null, r -> onTopic.add(RecordCodec.decision(r.value())));
    assertThat(onTopic).as("on the decisions topic before the handover").extracting(d -> d.engagement().id())
        .containsExactly(heard.get(0).engagement().id());
  }

  @Test
  void anIdentifyAcrossPartitions_movesTheDevicesJourneyIntoTheUsersThroughKafka() throws Exception {
    ClusterNode a = node("a");
    node("b");
    allPartitionsOwned();
    String user = "user-1";
    String device = null;
    for (int i = 0; device == null; i++) {
      if (ShardedEngine.shardIndex("dev-" + i, PARTITIONS) != ShardedEngine.shardIndex(user, PARTITIONS)) {
        device = "dev-" + i;
      }
    }
    a.ingest(List.of(page(null, user, "/account")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    a.ingest(List.of(page(device, null, "/products/lamp")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    String d = device;
    await("the device's page", () -> journey(d).filter(j -> j.getPageViewsThisSession() == 1));
    await("the user's page", () -> journey(user).filter(j -> j.getPageViewsThisSession() == 1));

    a.ingest(List.of(identify(device, user)), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);

    // the device's page counts in the user's journey as an earlier view, once
    await("the device's journey in the user's", () -> journey(user).filter(j -> j.getPageViewsBefore() == 1));
    for (ClusterNode n : nodes) {
      await("node " + n.settings().nodeId() + " knows the link", () -> n.state().registry().customerOf(d)
          .filter(user::equals));
    }
    assertThat(ownerOf(device).engine().orElseThrow().journey(device).get(10, TimeUnit.SECONDS)
        .map(Journey::getCustomerId)).contains(user); // the device is the user's now, on every node

    // a third node: the partitions move, their logs are read again from before the merge; nothing counts twice
    ClusterNode c = node("c");
    await("c owns a partition", () -> c.ownedPartitions().isEmpty() ? Optional.empty() : Optional.of(true));
    allPartitionsOwned();
    a.ingest(List.of(page(null, user, "/orders")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    Journey after = await("the user's next page", () -> journey(user).filter(j -> j.getPageViewsThisSession() == 2));
    assertThat(after.getPageViewsBefore()).as("the device's page, counted once").isEqualTo(1);
    assertThat(after.getRecentPaths()).containsExactly("/account", "/orders");
  }

  @Test
  void aRuleDeployment_reachesEveryNode_andEachReportsTheVersionItRuns() throws Exception {
    ClusterNode a = node("a");
    ClusterNode b = node("b");
    allPartitionsOwned();
    RulePack next = pack("faq", "/faq");

    a.deploy(next).get(10, TimeUnit.SECONDS);

    for (ClusterNode n : List.of(a, b)) {
      await("node " + n.settings().nodeId() + " runs the new rules", () -> n.engine().orElseThrow().rules().version()
          .equals(next.version()) ? Optional.of(true) : Optional.empty());
      await("node " + n.settings().nodeId() + " reports it", () -> Optional.ofNullable(a.state().nodes()
          .get(n.settings().nodeId())).filter(s -> s.rules().equals(next.version())));
    }
    b.ingest(List.of(page("cat", null, "/faq")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    assertThat(await("the faq tip", () -> heard.stream().findFirst()).engagement().rule()).isEqualTo("faq");
  }

  @Test
  void anErasureOnTheOwner_isLearnedByEveryNode_andALaterEventForTheErasedIdStartsNoJourney() throws Exception {
    ClusterNode a = node("a");
    ClusterNode b = node("b");
    allPartitionsOwned();
    a.ingest(List.of(page("dan", null, "/products/1")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    await("dan's journey", () -> journey("dan"));
    ClusterNode owner = ownerOf("dan");

    io.nudge.engine.Erasure erased = owner.engine().orElseThrow().erase("dan").get(30, TimeUnit.SECONDS).orElseThrow();
    owner.state().announceErasure(erased).get(10, TimeUnit.SECONDS);

    assertThat(erased.records()).containsEntry("journeys", 1);
    assertThat(erased.remaining()).containsKey("events"); // Kafka's retention deletes them, not the erasure
    for (ClusterNode n : List.of(a, b)) {
      await("node " + n.settings().nodeId() + " forgets dan", () -> n.state().registry().customerOf("dan").isEmpty()
          ? Optional.of(true) : Optional.empty());
    }
    for (ClusterNode n : List.of(a, b)) {
      n.ingest(List.of(page("dan", null, "/products/2")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      assertThat(journey("dan")).as("an erased id's late event starts a journey").isEmpty();
      Thread.sleep(100);
    }
    assertThat(a.state().registry().customerOf("dan")).isEmpty();
  }

  @Test
  void aVisitorWhoDeniesAnalytics_isDecidedFromMemory_andNothingOfTheirsReachesTheEventsOrTheChangelog()
      throws Exception {
    ClusterNode a = node("a");
    allPartitionsOwned();
    Event.Page help = new Event.Page("/help", null, null, null, null);
    Event denied = new Event("m" + (++messages), "web", Event.EventType.PAGE, "fay", null, null, null,
        Map.of("path", "/help"), Map.of(), Instant.now(), new Event.EventContext(help, null, null, null, null,
            Map.of(Purpose.ANALYTICS, false, Purpose.PERSONALIZATION, true)));

    a.ingest(List.of(denied, page("gus", null, "/help")), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);

    await("the tip for gus, who allows analytics", () -> heard.stream()
        .filter(x -> x.engagement().customerId().equals("gus")).findFirst());
    Decision d = await("the tip for fay", () -> heard.stream().filter(x -> x.engagement().customerId().contains("fay"))
        .findFirst());
    assertThat(d.engagement().rule()).isEqualTo("help");
    assertThat(d.engagement().context()).doesNotContainKey("pages"); // no journey summary kept with it
    a.close(); // saves every journey it holds
    nodes.remove(a);
    List<String> keys = new ArrayList<>();
    List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      all.add(new TopicPartition(prefix + Topics.EVENTS, p));
      all.add(new TopicPartition(prefix + Topics.JOURNEYS, p));
    }
    Kafka.readToEnd(a.settings(), all, null, r -> keys.add(r.topic() + " " + Kafka.text(r.key())));
    assertThat(keys).contains(prefix + Topics.EVENTS + " gus", prefix + Topics.JOURNEYS + " gus")
        .noneMatch(k -> k.contains("fay"));
  }
}
