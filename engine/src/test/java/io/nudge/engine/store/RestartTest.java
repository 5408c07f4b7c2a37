package io.nudge.engine.store;

import io.nudge.engine.policy.ContactPolicy;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.store.rocks.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an engine on RocksDB has after a restart: journeys, links, consent, decisions, and timers. */
final class RestartTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final RulePack PACK = RulePack.compile(Map.of("restart.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "idle-checkout" @reason("test reason") @dataUsed("test data")
      when
        $j : Journey( $c : customerId, currentPath == "/checkout" )
        $last : CustomerEvent( customerId == $c, sequence == $j.lastSequence )
        not CustomerEvent( customerId == $c, sequence > $last.sequence, this after[0s,30s] $last )
        not Offer( customerId == $c, rule == "idle-checkout" )
      then
        nudge.chat("sales", "Need a hand with your order?");
      end
      """));

  private final AtomicLong now = new AtomicLong(T0.toEpochMilli());
  private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
  private final List<Decision> heard = new CopyOnWriteArrayList<>();
  private final Path dir = tempDir();
  private RocksStore store;
  private NudgeEngine engine;
  private int messages;
  /** Lets a catch-up held by {@link #startRecoveringHeld} go on. */
  private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
  /** Set once a store of {@link #journeysRead} has read its journeys, or failed to. */
  private final java.util.concurrent.atomic.AtomicBoolean journeysReadEnded =
      new java.util.concurrent.atomic.AtomicBoolean();

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-restart");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void start() {
    store = RocksStore.open(dir, clock);
    engine = NudgeEngine.start(settings(), PACK, heard::add, store);
  }

  private void stop() {
    engine.close();
    store.close();
    engine = null;
  }

  @AfterEach
  void cleanUp() {
    if (engine != null) {
      stop();
    }
  }

  private Event event(Event.EventType type, String anonymousId, String userId, String path,
      Map<Purpose, Boolean> consent) {
    Event.Page page = path == null ? null : new Event.Page(path, null, null, null, null);
    return new Event("r" + (++messages), "web", type, anonymousId, userId, null, null,
        path == null ? Map.of() : Map.of("path", path), Map.of(), clock.instant(),
        new Event.EventContext(page, null, null, null, null, consent));
  }

  private void send(Event e) throws Exception {
    engine.submit(List.of(e), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  @Test
  void restart_keepsJourneysIdentityLinksConsentAndDecisions() throws Exception {
    start();
    send(event(Event.EventType.PAGE, "anon-1", null, "/products/lamp", Map.of(Purpose.PROACTIVE_CHAT, true)));
    send(event(Event.EventType.IDENTIFY, "anon-1", "user-1", null, Map.of()));
    send(event(Event.EventType.PAGE, null, "user-1", "/checkout", Map.of()));
    now.addAndGet(31_000);
    awaitDecisions(1);
    stop();

    start();

    assertThat(engine.customerOf("user-1")).isEqualTo(engine.customerOf("anon-1")).contains("anon-1");
    Journey journey = engine.journey("user-1").get(5, SECONDS).orElseThrow();
    assertThat(journey.getRecentPaths()).containsExactly("/products/lamp", "/checkout");
    assertThat(journey.getUserId()).isEqualTo("user-1");
    assertThat(engine.consent("user-1").get(Purpose.PROACTIVE_CHAT).granted()).isTrue();
    assertThat(engine.decisions("anon-1")).singleElement()
        .satisfies(d -> assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT));
    now.addAndGet(60_000);
    Thread.sleep(100);
    assertThat(heard).as("the chat is not offered again after the restart").hasSize(1);
  }

  @Test
  void aRepeatDroppedBeforeTheStop_isNotAppliedAtTheRestart() throws Exception {
    start();
    Event page = event(Event.EventType.PAGE, "dee", null, "/a", Map.of());
    send(page);
    send(page); // a retry of the same message: logged, dropped as a repeat
    stop();

    start();

    assertThat(engine.journey("dee").get(5, SECONDS).orElseThrow().getPageViewsThisSession()).isEqualTo(1);
  }

  @Test
  void aRetryAfterTheRestart_ofAMessageFromBeforeIt_isStillARepeat() throws Exception {
    start();
    Event page = event(Event.EventType.PAGE, "eve", null, "/a", Map.of());
    send(page);
    stop();
    start();

    send(page); // the client never saw the answer, and sends it again once Nudge is back

    assertThat(engine.journey("eve").get(5, SECONDS).orElseThrow().getPageViewsThisSession()).isEqualTo(1);
  }

  @Test
  void restart_keepsInteractionsAndOutcomes_andTheOrderOfOutcomes() throws Exception {
    start();
    send(event(Event.EventType.PAGE, "cat", null, "/checkout", Map.of(Purpose.PROACTIVE_CHAT, true)));
    now.addAndGet(31_000);
    awaitDecisions(1);
    String engagement = heard.get(0).engagement().id();
    // the listener hears of a decision before it is recorded (so a crash repeats a delivery, never loses it)
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    while (engine.decisions("cat").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    engine.recordOutcome(engagement, "declined", clock.instant()).get(5, SECONDS);
    Event call = new Event("call-1", "interactions", Event.EventType.INTERACTION, "cat", null, null, "call",
        Map.of("channel", "call", "startedAt", clock.millis() - 3_600_000L, "caseId", "case-1", "queue", "billing",
            "resolved", false, "csat", 2),
        Map.of(), clock.instant(), null);
    send(call);
    stop();

    start();

    Journey journey = engine.journey("cat").get(5, SECONDS).orElseThrow();
    assertThat(journey.getInteractionCount()).isEqualTo(1);
    assertThat(journey.getOpenCases()).containsExactly("case-1");
    assertThat(journey.getLastCsat()).isEqualTo(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> engine.recordOutcome(engagement, "accepted", clock.instant()))
        .hasMessage("outcome \"accepted\" cannot follow \"declined\" for engagement " + engagement);
  }

  @Test
  void timerDueWhileDown_firesAtRestart_whenItsMomentIsRecent() throws Exception {
    leftIdleAtCheckoutWhileDown("ann");

    start();

    awaitDecisions(1);
    Decision d = heard.get(0);
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT);
    assertThat(d.engagement().createdAt()).isBetween(T0.plusSeconds(30), T0.plusSeconds(32));
  }

  @Test
  void timerDueWhileDown_isNotSent_whenItsMomentPassedLongAgo() throws Exception {
    start();
    send(event(Event.EventType.PAGE, "bob", null, "/checkout", Map.of(Purpose.PROACTIVE_CHAT, true)));
    stop();

    now.addAndGet(Duration.ofMinutes(5).toMillis());
    start();

    awaitDecisions(1);
    assertThat(heard.get(0).outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
    assertThat(heard.get(0).reason()).isEqualTo("expired");
  }

  @Test
  void aRestartTakesEventsBeforeItsShardsCaughtUp_andAppliesThemAfterWhatItRestored() throws Exception {
    leftIdleAtCheckoutWhileDown("fay");

    // the timer that fell due while Nudge was down is decided during the catch-up: the listener holds it there
    startRecoveringHeld();

    assertThat(engine.recovered()).isNotDone();
    Event next = event(Event.EventType.PAGE, "fay", null, "/thanks", Map.of());
    engine.submit(List.of(next), NudgeEngine.Ack.DURABLE).get(5, SECONDS); // taken, and in the log
    java.util.concurrent.CompletableFuture<Void> applied = engine.submit(
        List.of(event(Event.EventType.PAGE, "fay", null, "/done", Map.of())), NudgeEngine.Ack.APPLIED);
    Thread.sleep(50);
    assertThat(applied).as("an event taken during the catch-up waits behind it").isNotDone();
    release.countDown();
    engine.recovered().get(5, SECONDS);
    applied.get(5, SECONDS);
    assertThat(engine.journey("fay").get(5, SECONDS).orElseThrow().getRecentPaths())
        .containsExactly("/checkout", "/thanks", "/done");
    assertThat(heard).singleElement().satisfies(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT);
      assertThat(d.engagement().createdAt()).isBetween(T0.plusSeconds(30), T0.plusSeconds(32));
    });
  }

  @Test
  void aSnapshotThatCannotBeRead_costsItsCustomer_notTheRestart() throws Exception {
    start();
    send(event(Event.EventType.PAGE, "gus", null, "/a", Map.of()));
    send(event(Event.EventType.PAGE, "hal", null, "/b", Map.of()));
    stop();
    store = RocksStore.open(dir, clock);
    java.util.Map<String, byte[]> damaged = new java.util.HashMap<>();
    store.journeys().forEach((id, snapshot) -> {
      if (id.contains("gus")) {
        damaged.put(id, new byte[] {1, 2, 3});
      }
    });
    assertThat(damaged).hasSize(1);
    String gusId = damaged.keySet().iterator().next();
    store.journeys().save(ShardedEngine.shardIndex(gusId, 2), store.journeys().checkpoint(), damaged);

    engine = NudgeEngine.start(settings(), PACK, heard::add, store);

    assertThat(engine.recovered()).isCompleted();
    assertThat(engine.journey("hal").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/b");
    send(event(Event.EventType.PAGE, "ivy", null, "/c", Map.of()));
    assertThat(engine.journey("ivy").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/c");
  }

  @Test
  void closedWhileCatchingUp_theShardsStopWithoutSaving_andTheNextStartHasEveryEvent() throws Exception {
    leftIdleAtCheckoutWhileDown("jon");
    long checkpoint = startRecoveringHeld();
    engine.submit(List.of(event(Event.EventType.PAGE, "jon", null, "/thanks", Map.of())), NudgeEngine.Ack.DURABLE)
        .get(5, SECONDS);

    java.util.concurrent.CompletableFuture<Void> closed = java.util.concurrent.CompletableFuture.runAsync(engine::close);
    Thread.sleep(100); // the close has told the shards to stop
    release.countDown();
    closed.get(5, SECONDS);

    assertThat(engine.recovered()).isCompletedExceptionally();
    assertThat(store.journeys().checkpoint()).as("nothing saved past what was caught up on").isEqualTo(checkpoint);
    store.close();
    engine = null;
    start();
    assertThat(engine.journey("jon").get(5, SECONDS).orElseThrow().getRecentPaths())
        .containsExactly("/checkout", "/thanks");
  }

  @Test
  void aRestartTakesEventsWhileItStillReadsTheJourneys_andAppliesThemAfterEveryoneRestored() throws Exception {
    startedWhileItReadsTheJourneys("kim", "/a");

    engine.submit(List.of(event(Event.EventType.PAGE, "kim", null, "/b", Map.of())), NudgeEngine.Ack.DURABLE)
        .get(5, SECONDS);
    java.util.concurrent.CompletableFuture<Void> applied = engine.submit(
        List.of(event(Event.EventType.PAGE, "lou", null, "/c", Map.of())), NudgeEngine.Ack.APPLIED);
    Thread.sleep(50);
    assertThat(applied).as("an event taken while the journeys are read waits for them").isNotDone();
    assertThat(engine.recovered()).isNotDone();
    release.countDown();
    applied.get(5, SECONDS);
    engine.recovered().get(5, SECONDS);
    assertThat(engine.journey("kim").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/a", "/b");
    assertThat(engine.journey("lou").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/c");
  }

  @Test
  void journeysThatCannotBeRead_failTheStart_andNothingIsAppliedOrSaved() throws Exception {
    start();
    send(event(Event.EventType.PAGE, "max", null, "/a", Map.of()));
    stop();
    store = RocksStore.open(dir, clock);
    long checkpoint = store.journeys().checkpoint();
    EngineStore failing = journeysRead(store, () -> {
      throw new java.io.UncheckedIOException(new java.io.IOException("disk read error"));
    });

    assertThatThrownBy(() -> NudgeEngine.start(settings(), PACK, heard::add, failing))
        .hasMessageContaining("disk read error");

    engine = ShardedEngine.startRecovering(settings(), PACK, heard::add, failing);
    engine.submit(List.of(event(Event.EventType.PAGE, "max", null, "/b", Map.of())), NudgeEngine.Ack.DURABLE)
        .get(5, SECONDS);
    assertThatThrownBy(() -> engine.recovered().get(5, SECONDS)).hasMessageContaining("disk read error");
    engine.close();
    assertThat(store.journeys().checkpoint()).as("nothing saved").isEqualTo(checkpoint);
    store.close();
    engine = null;
    start();
    assertThat(engine.journey("max").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/a", "/b");
  }

  @Test
  void closedWhileReadingTheJourneys_theReadEndsBeforeTheCloseReturns() throws Exception {
    startedWhileItReadsTheJourneys("ned", "/a");

    java.util.concurrent.CompletableFuture<Void> closed = java.util.concurrent.CompletableFuture.runAsync(engine::close);
    Thread.sleep(200);
    assertThat(closed).as("the close waits for the read: the store must not close under it").isNotDone();
    release.countDown();
    closed.get(15, SECONDS);
    assertThat(journeysReadEnded).isTrue();

    assertThat(engine.recovered()).isCompletedExceptionally();
    store.close();
    engine = null;
    start();
    assertThat(engine.journey("ned").get(5, SECONDS).orElseThrow().getRecentPaths()).containsExactly("/a");
  }

  /**
   * {@code who} views {@code path} and Nudge stops; then it starts again without waiting, and returns
   * while the journeys are being read, held there until {@link #release}.
   */
  private void startedWhileItReadsTheJourneys(String who, String path) throws Exception {
    start();
    send(event(Event.EventType.PAGE, who, null, path, Map.of()));
    stop();
    java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
    store = RocksStore.open(dir, clock);
    engine = ShardedEngine.startRecovering(settings(), PACK, heard::add, journeysRead(store, () -> {
      reading.countDown();
      await(release);
    }));
    assertThat(reading.await(5, SECONDS)).isTrue();
  }

  /** {@code store}, whose journeys are read only after {@code beforeRead} ran; see {@link #journeysReadEnded}. */
  private EngineStore journeysRead(RocksStore store, Runnable beforeRead) {
    JourneyStore journeys = new JourneyStore() {
      @Override
      public void save(int shard, long checkpoint, Map<String, byte[]> snapshots) {
        store.journeys().save(shard, checkpoint, snapshots);
      }

      @Override
      public long checkpoint() {
        return store.journeys().checkpoint();
      }

      @Override
      public void resetCheckpoints(int shards, long checkpoint) {
        store.journeys().resetCheckpoints(shards, checkpoint);
      }

      @Override
      public void forEach(java.util.function.BiConsumer<String, byte[]> consumer) {
        try {
          beforeRead.run();
          store.journeys().forEach(consumer);
        } finally {
          journeysReadEnded.set(true);
        }
      }
    };
    return new EngineStore() {
      @Override
      public EventLog events() {
        return store.events();
      }

      @Override
      public JourneyStore journeys() {
        return journeys;
      }

      @Override
      public ConsentStore consent() {
        return store.consent();
      }

      @Override
      public IdentityStore identities() {
        return store.identities();
      }

      @Override
      public DecisionLog decisions() {
        return store.decisions();
      }

      @Override
      public Outbox outbox() {
        return store.outbox();
      }

      @Override
      public TimelineStore timeline() {
        return store.timeline();
      }

      @Override
      public boolean isEphemeral() {
        return false;
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await(10, SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts without waiting for the catch-up, with a listener that holds it at the first decision until
   * {@link #release}; returns once it is held, with the checkpoint the store had.
   */
  private long startRecoveringHeld() throws InterruptedException {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    store = RocksStore.open(dir, clock);
    long checkpoint = store.journeys().checkpoint();
    engine = ShardedEngine.startRecovering(settings(), PACK, d -> {
      heard.add(d);
      held.countDown();
      try {
        release.await(10, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, store);
    assertThat(held.await(5, SECONDS)).isTrue();
    return checkpoint;
  }

  /**
   * {@code who} opens the checkout (consent to chat given) and Nudge stops 10 s later; the clock is then
   * 50 s past that page: the 30 s of idling ended 20 s ago, while Nudge was down.
   */
  private void leftIdleAtCheckoutWhileDown(String who) throws Exception {
    start();
    send(event(Event.EventType.PAGE, who, null, "/checkout", Map.of(Purpose.PROACTIVE_CHAT, true)));
    now.addAndGet(10_000);
    stop();
    now.addAndGet(40_000);
  }

  private EngineSettings settings() {
    return EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock).withShards(2)
        .withTick(Duration.ofMillis(5));
  }

  private void awaitDecisions(int n) throws InterruptedException {
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    while (heard.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(heard).hasSize(n);
  }
}
