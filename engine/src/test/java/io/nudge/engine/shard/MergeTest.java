package io.nudge.engine.shard;

import io.nudge.engine.policy.ContactPolicy;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.store.rocks.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two devices of one person become one customer, also when they lived on different shards. */
final class MergeTest {
  private static final RulePack PACK = RulePack.compile(Map.of("merge.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-tip" @reason("test reason") @dataUsed("test data")
      when
        CustomerEvent( $c : customerId, isPageView(), path == "/help" )
        not Offer( customerId == $c, rule == "help-tip" )
      then
        nudge.tip("Help", "We are here.");
      end
      """));

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final List<Decision> heard = new CopyOnWriteArrayList<>();
  private final Path dir = tempDir();
  private RocksStore store;
  private ShardedEngine engine;
  private int messages;

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-merge");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void start() {
    store = RocksStore.open(dir, clock);
    engine = ShardedEngine.start(EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock).withShards(4)
        .withConsentDefault(io.nudge.engine.ConsentDefault.OPT_OUT).withTick(Duration.ofMillis(5)),
        PACK, heard::add, store);
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
      store.close();
      engine = null;
    }
  }

  private void send(Event.EventType type, String anonymousId, String userId, String name,
      Map<String, Object> properties) throws Exception {
    Object path = properties.get("path");
    Event.Page page = path == null ? null : new Event.Page((String) path, null, null, null, null);
    engine.submit(List.of(new Event("mm" + (++messages), "web", type, anonymousId, userId, null, name, properties,
        Map.of(), clock.instant(), new Event.EventContext(page, null, null, null, null, Map.of()))),
        NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  private void page(String anonymousId, String path) throws Exception {
    send(Event.EventType.PAGE, anonymousId, null, null, Map.of("path", path));
  }

  private void identify(String anonymousId, String userId) throws Exception {
    send(Event.EventType.IDENTIFY, anonymousId, userId, null, Map.of());
  }

  /** Two anonymous ids whose customers live on different shards. */
  private String[] onDifferentShards() {
    String first = "laptop-0";
    for (int i = 1; i < 100; i++) {
      String other = "phone-" + i;
      if (engine.shardIndexOf(other) != engine.shardIndexOf(first)) {
        return new String[] {first, other};
      }
    }
    throw new IllegalStateException("no two ids on different shards");
  }

  /** The journey once {@code settled} holds of it, or as it is after 5 s (and the asserts then fail). */
  private Journey awaitJourney(String id, java.util.function.Predicate<Journey> settled) throws Exception {
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    Journey j = journey(id);
    while (!settled.test(j) && System.nanoTime() < deadline) {
      Thread.sleep(10);
      j = journey(id);
    }
    return j;
  }

  private Journey journey(String id) throws Exception {
    // twice: the merge crosses shards, so wait for both queues
    engine.journey(id).get(5, SECONDS);
    return engine.journey(id).get(5, SECONDS).orElseThrow();
  }

  @Test
  void secondDeviceIdentifies_itsCustomerIsMergedIntoTheUsers_acrossShards_andLateEventsFollow() throws Exception {
    start();
    String[] devices = onDifferentShards();
    String laptop = devices[0];
    String phone = devices[1];
    page(laptop, "/products/lamp");
    page(laptop, "/help");
    send(Event.EventType.TRACK, laptop, null, "Product Added", Map.of("product_id", "lamp", "price", 120));
    page(phone, "/products/sofa");
    send(Event.EventType.TRACK, phone, null, "Product Added", Map.of("product_id", "sofa", "price", 900));
    identify(phone, "user-1");
    engine.setConsent(laptop, Map.of(Purpose.CALLBACK, true), "api");

    identify(laptop, "user-1");

    assertThat(engine.customerOf(laptop)).isEqualTo(engine.customerOf("user-1")).contains(phone);
    assertThat(engine.identities().mergedInto(phone)).containsExactly(laptop);
    // the merge crosses shards: the laptop's shard takes its customer out, then the phone's folds it in
    Journey merged = awaitJourney("user-1", j -> j.getCartItems().size() == 2);
    assertThat(merged.getCartItems()).extracting(c -> c.productId()).containsExactlyInAnyOrder("lamp", "sofa");
    assertThat(merged.getPageViewsThisSession() + merged.getPageViewsBefore()).isEqualTo(3);
    assertThat(engine.decisions("user-1")).extracting(d -> d.engagement().rule()).containsExactly("help-tip");
    assertThat(engine.consent("user-1")).containsKey(Purpose.CALLBACK);
    assertThat(engine.anonymousIdsOf(phone)).containsExactlyInAnyOrder(laptop, phone);

    page(laptop, "/late"); // a late event from the old device

    Journey after = journey("user-1");
    assertThat(after.getPageViewsThisSession() + after.getPageViewsBefore()).isEqualTo(4);
    assertThat(after.getCartQuantity()).isEqualTo(2);

    stop();
    start();

    Journey restored = journey(laptop);
    assertThat(restored.getCustomerId()).isEqualTo(phone);
    assertThat(restored.getPageViewsThisSession() + restored.getPageViewsBefore()).isEqualTo(4);
    assertThat(restored.getCartQuantity()).as("nothing folded in twice after the restart").isEqualTo(2);
  }

  @Test
  void deviceOfAnotherKnownUser_isNotMerged_andTheConflictIsRecorded() throws Exception {
    start();
    identify("tablet-1", "user-2");
    identify("desktop-1", "user-3");
    page("tablet-1", "/a");

    identify("tablet-1", "user-3");

    assertThat(engine.customerOf("tablet-1")).contains("user-2");
    assertThat(engine.customerOf("user-3")).contains("user-3");
    assertThat(engine.identities().conflictsOf("user-3")).singleElement()
        .satisfies(c -> assertThat(c.deviceCustomer()).isEqualTo("user-2"));
    assertThat(journey("user-2").getPageViewsThisSession()).isEqualTo(1);
  }
}
