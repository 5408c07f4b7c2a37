package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Erasure;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.store.rocks.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Erasing a customer with two devices, a userId, an email and a phone, consent, an interaction and a
 * decision with an outcome: in memory and on RocksDB, down to the bytes of the files.
 */
final class ErasureTest {
  private static final RulePack PACK = RulePack.compile(Map.of("erasure.drl", """
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
  // distinct, random-looking ids: a byte search finds them in a file only where they really are
  private static final String LAPTOP = "laptop-7f3a9c2e1b";
  private static final String PHONE = "phone-4d8b6e0a5c";
  private static final String USER = "user-9e2c7b4f1d";
  private static final String EMAIL = "ann.q.erasure@example.com";
  private static final String PHONE_NUMBER = "+447700900123";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final List<Decision> heard = new CopyOnWriteArrayList<>();
  private final List<EngineStore> stores = new ArrayList<>();
  private ShardedEngine engine;
  private int messages;

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
    stores.forEach(EngineStore::close);
  }

  private void start(EngineStore store) {
    stores.add(store);
    engine = ShardedEngine.start(EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock)
        .withShards(4).withConsentDefault(ConsentDefault.OPT_OUT).withTick(Duration.ofMillis(5)),
        PACK, heard::add, store);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-erasure");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Event event(Event.EventType type, String anonymousId, String userId, String path,
      Map<String, Object> traits) {
    Event.Page page = path == null ? null : new Event.Page(path, null, null, null, null);
    return new Event("er" + (++messages), "web", type, anonymousId, userId, null, null,
        path == null ? Map.of() : Map.of("path", path), traits, clock.instant(),
        new Event.EventContext(page, null, null, null, null, Map.of()));
  }

  private Event interaction(String userId, Map<String, Object> traits) {
    return new Event("call-" + (++messages), "interactions", Event.EventType.INTERACTION, null, userId, null,
        "call", Map.of("channel", "call", "direction", "inbound", "startedAt", clock.millis(), "resolved", true,
            "queue", "billing"), traits, clock.instant(), Event.EventContext.EMPTY);
  }

  private void send(Event e) throws Exception {
    engine.submit(List.of(e), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  /** Two devices, merged by an identify; email and phone; consent; a call; a tip shown. */
  private void knownCustomer() throws Exception {
    send(event(Event.EventType.PAGE, LAPTOP, null, "/products/lamp", Map.of()));
    send(event(Event.EventType.IDENTIFY, LAPTOP, USER, null, Map.of("email", EMAIL, "phone", PHONE_NUMBER)));
    send(event(Event.EventType.PAGE, PHONE, null, "/help", Map.of()));
    send(event(Event.EventType.IDENTIFY, PHONE, USER, null, Map.of()));
    engine.setConsent(USER, Map.of(Purpose.PROACTIVE_CHAT, false, Purpose.ANALYTICS, true), "api");
    send(interaction(null, Map.of("email", EMAIL)));
    engine.journey(USER).get(5, SECONDS); // the merge crosses shards: both queues drained
    engine.journey(USER).get(5, SECONDS);
    Decision tip = engine.decisions(USER).get(0);
    engine.recordOutcome(tip.engagement().id(), "shown", clock.instant()).get(5, SECONDS);
    engine.journey(USER).get(5, SECONDS);
  }

  @Test
  void erase_customerWithTwoDevices_removesEveryLinkedIdAndRecord() throws Exception {
    start(new MemoryStore(clock));
    knownCustomer();
    assertThat(engine.customerOf(PHONE)).contains(LAPTOP);
    assertThat(engine.decisions(LAPTOP)).hasSize(1);

    Erasure erasure = engine.erase(PHONE).get(10, SECONDS).orElseThrow();

    assertThat(erasure.customerId()).isEqualTo(LAPTOP);
    assertThat(erasure.ids()).containsExactly(Map.entry("anonymousIds", 2), Map.entry("userIds", 1),
        Map.entry("emails", 1), Map.entry("phones", 1), Map.entry("mergedCustomers", 1));
    // the memory store keeps no events; the phone's journey was merged into the laptop's
    assertThat(erasure.records()).containsExactly(Map.entry("events", 0), Map.entry("journeys", 1),
        Map.entry("timeline", 6), Map.entry("consent", 2), Map.entry("decisions", 1), Map.entry("outcomes", 1),
        Map.entry("outbox", 0));
    assertThat(erasure.tombstones()).isEqualTo(5);
    assertThat(erasure.erasedAt()).isEqualTo(clock.instant());
    assertThat(erasure.anonymousIds()).containsExactlyInAnyOrder(LAPTOP, PHONE);
    assertThat(erasure.engagementIds()).containsExactly(heard.get(0).engagement().id());
    for (String id : List.of(LAPTOP, PHONE, USER)) {
      assertThat(engine.customerOf(id)).as(id).isEmpty();
      assertThat(engine.journey(id).get(5, SECONDS)).as(id).isEmpty();
      assertThat(engine.decisions(id)).as(id).isEmpty();
      assertThat(engine.consentHistory(id)).as(id).isEmpty();
    }
    for (String customer : List.of(LAPTOP, PHONE)) {
      assertThat(engine.timeline(customer, Long.MAX_VALUE, 100)).as(customer).isEmpty();
      assertThat(engine.ids(customer).links()).as(customer).isEmpty();
    }
    assertThat(engine.outcomes(heard.get(0).engagement().id())).isEmpty();
    assertThat(engine.statistics().get("engagements")).isEqualTo(Map.of("byRule", Map.of(), "byType", Map.of()));
    assertThat(engine.statistics().get("interactions")).isEqualTo(Map.of());
  }

  @Test
  void lateEvents_namingAnErasedId_areDroppedBeforeIdentityResolutionAndCounted() throws Exception {
    start(new MemoryStore(clock));
    knownCustomer();
    engine.erase(USER).get(10, SECONDS).orElseThrow();

    send(event(Event.EventType.PAGE, PHONE, null, "/help", Map.of()));
    send(event(Event.EventType.IDENTIFY, "new-device", USER, null, Map.of()));
    send(new Event("al", "web", Event.EventType.ALIAS, null, "other-user", LAPTOP, null, Map.of(), Map.of(),
        clock.instant(), null));
    send(interaction(null, Map.of("phone", PHONE_NUMBER)));
    send(event(Event.EventType.PAGE, "someone-else", null, "/help", Map.of()));

    assertThat(engine.statistics().get("erasedEventsDropped")).isEqualTo(4L);
    for (String id : List.of(LAPTOP, PHONE, USER, "new-device", "other-user")) {
      assertThat(engine.customerOf(id)).as(id).isEmpty();
    }
    assertThat(engine.customerOf("someone-else")).contains("someone-else");
    assertThat(heard).extracting(d -> d.engagement().customerId()).containsExactly(PHONE, "someone-else");
  }

  @Test
  void erase_unknownId_findsNothing_andASecondErasureOfTheSameCustomerFindsNothing() throws Exception {
    start(new MemoryStore(clock));
    knownCustomer();

    assertThat(engine.erase("nobody").get(5, SECONDS)).isEmpty();
    assertThat(engine.erase(LAPTOP).get(10, SECONDS)).isPresent();
    assertThat(engine.erase(LAPTOP).get(5, SECONDS)).isEmpty();
    assertThat(engine.erase(USER).get(5, SECONDS)).isEmpty();
  }

  @Test
  void erase_onRocksStore_leavesNoByteOfTheIdsEmailOrPhoneInAnyFile_andTombstonesOutliveARestart()
      throws Exception {
    Path dir = tempDir();
    start(RocksStore.open(dir, clock));
    knownCustomer();
    send(event(Event.EventType.PAGE, "bystander-5a1c", null, "/help", Map.of()));
    List<String> needles = List.of(LAPTOP, PHONE, USER);
    assertThat(filesContaining(dir, needles)).as("the search finds the ids before the erasure").isNotEmpty();

    Erasure erasure = engine.erase(LAPTOP).get(30, SECONDS).orElseThrow();

    assertThat(erasure.records()).containsExactly(Map.entry("events", 6), Map.entry("journeys", 1),
        Map.entry("timeline", 6), Map.entry("consent", 2), Map.entry("decisions", 1), Map.entry("outcomes", 1),
        Map.entry("outbox", 0));
    List<String> all = List.of(LAPTOP, PHONE, USER, EMAIL, PHONE_NUMBER, "ann.q.erasure", "7700900123");
    assertThat(filesContaining(dir, all)).isEmpty();
    assertThat(filesContaining(dir, List.of("bystander-5a1c"))).as("another customer's data stays").isNotEmpty();

    engine.close();
    stores.remove(0).close();
    start(RocksStore.open(dir, clock));
    send(event(Event.EventType.PAGE, LAPTOP, null, "/help", Map.of()));

    assertThat(engine.customerOf(LAPTOP)).isEmpty();
    assertThat(engine.journey(LAPTOP).get(5, SECONDS)).isEmpty();
    assertThat(engine.customerOf("bystander-5a1c")).contains("bystander-5a1c");
    assertThat(engine.statistics().get("erasedEventsDropped")).isEqualTo(1L);
    assertThat(filesContaining(dir, all)).as("the dropped event was not written").isEmpty();
  }

  @Test
  void erase_failingHalfWay_leavesTheCustomerLinked_andCanBeAskedForAgain() throws Exception {
    FailingTimelineStore store = new FailingTimelineStore(new MemoryStore(clock));
    start(store);
    knownCustomer();
    store.failing = true;

    assertThatThrownBy(() -> engine.erase(USER).get(10, SECONDS)).hasRootCauseMessage("timeline store down");

    assertThat(engine.customerOf(PHONE)).as("still linked").contains(LAPTOP);
    send(event(Event.EventType.PAGE, PHONE, null, "/plans", Map.of()));
    assertThat(engine.statistics().get("erasedEventsDropped")).as("its events are taken again").isEqualTo(0L);
    store.failing = false;
    Erasure erasure = engine.erase(USER).get(10, SECONDS).orElseThrow();
    assertThat(erasure.ids()).containsEntry("anonymousIds", 2).containsEntry("userIds", 1);
    assertThat(engine.customerOf(PHONE)).isEmpty();
  }

  /** A memory store whose timeline fails to erase while {@link #failing}. */
  private static final class FailingTimelineStore implements EngineStore {
    private final MemoryStore delegate;
    volatile boolean failing;
    private final io.nudge.engine.store.TimelineStore timeline;

    FailingTimelineStore(MemoryStore delegate) {
      this.delegate = delegate;
      io.nudge.engine.store.TimelineStore real = delegate.timeline();
      this.timeline = new io.nudge.engine.store.TimelineStore() {
        @Override
        public void append(String customerId, Entry entry) {
          real.append(customerId, entry);
        }

        @Override
        public void forEach(java.util.function.BiConsumer<String, Entry> consumer) {
          real.forEach(consumer);
        }

        @Override
        public List<Entry> newestFirst(String customerId, long beforeSequence, int limit) {
          return real.newestFirst(customerId, beforeSequence, limit);
        }

        @Override
        public int erase(String customerId) {
          if (failing) {
            throw new IllegalStateException("timeline store down");
          }
          return real.erase(customerId);
        }
      };
    }

    @Override
    public io.nudge.engine.store.EventLog events() {
      return delegate.events();
    }

    @Override
    public io.nudge.engine.store.JourneyStore journeys() {
      return delegate.journeys();
    }

    @Override
    public io.nudge.engine.consent.ConsentStore consent() {
      return delegate.consent();
    }

    @Override
    public io.nudge.engine.store.IdentityStore identities() {
      return delegate.identities();
    }

    @Override
    public io.nudge.engine.decision.DecisionLog decisions() {
      return delegate.decisions();
    }

    @Override
    public io.nudge.engine.store.Outbox outbox() {
      return delegate.outbox();
    }

    @Override
    public io.nudge.engine.store.TimelineStore timeline() {
      return timeline;
    }

    @Override
    public boolean isEphemeral() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Every file under {@code dir}, read as bytes, that holds one of the needles; as "file: needle". */
  static List<String> filesContaining(Path dir, List<String> needles) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (String needle : needles) {
          if (indexOf(bytes, needle.getBytes(StandardCharsets.UTF_8)) >= 0) {
            found.add(dir.relativize(file) + ": " + needle);
          }
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
