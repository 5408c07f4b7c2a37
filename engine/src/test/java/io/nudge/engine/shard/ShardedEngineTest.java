package io.nudge.engine.shard;

import io.nudge.engine.policy.ContactPolicy;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.DecisionListener;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.InvalidInputException;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.OverloadedException;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.IdentityStore;
import io.nudge.engine.store.JourneyStore;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.facts.Journey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ShardedEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final long WAIT_SECONDS = 5;
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-chat"
        @reason("Asked for help") @dataUsed("test data")
      when
        $e : CustomerEvent( name == "Help Clicked" )
      then
        nudge.once($e.getSequence()).chat("support", "How can we help?");
      end

      // checkout hesitation: on /checkout and nothing else for 30 seconds
      rule "idle-checkout"
        @reason("Idle on checkout") @dataUsed("test data")
      when
        $j : Journey( $c : customerId, currentPath == "/checkout" )
        $last : CustomerEvent( customerId == $c, sequence == $j.lastSequence )
        not CustomerEvent( customerId == $c, sequence > $last.sequence, this after[0s,30s] $last )
        not Offer( customerId == $c, rule == "idle-checkout" )
      then
        nudge.chat("sales", "Need a hand with your order?");
      end
      """;
  private static final RulePack PACK = RulePack.compile(Map.of("engine-test.drl", RULES));

  private final ManualClock clock = new ManualClock(T0);
  private final LinkedBlockingQueue<Decision> heard = new LinkedBlockingQueue<>();
  private final List<NudgeEngine> engines = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private int messages;

  @AfterEach
  void closeEngines() {
    release.countDown();
    engines.forEach(NudgeEngine::close);
  }

  // --- consent gate --------------------------------------------------------------------------

  @Test
  void gate_consentDenied_suppressesChat() throws Exception {
    NudgeEngine engine = start(settings());
    await(engine.submit(page("ann", "/")));
    engine.setConsent("ann", Map.of(Purpose.PROACTIVE_CHAT, false), "api");

    await(engine.submit(help("ann", null)));

    Decision decision = heardOne();
    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
    assertThat(decision.reason()).isEqualTo("consent:proactive_chat");
    assertThat(decision.engagement().rule()).isEqualTo("help-chat");
    assertThat(decision.engagement().customerId()).isEqualTo("ann");
    assertThat(decision.decidedAt()).isEqualTo(T0);
    assertThat(engine.decisions("ann")).containsExactly(decision);
  }

  @Test
  void gate_consentGranted_sendsChatAndTellsTheListener() throws Exception {
    NudgeEngine engine = start(settings());
    await(engine.submit(page("ann", "/")));
    engine.setConsent("ann", Map.of(Purpose.PROACTIVE_CHAT, true), "api");

    await(engine.submit(help("ann", null)));

    Decision decision = heardOne();
    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.SENT);
    assertThat(decision.reason()).isEqualTo("sent");
    assertThat(decision.engagement().fields()).isEqualTo(Map.of("queue", "support", "message", "How can we help?"));
    assertThat(decision.engagement().context()).containsEntry("reason", "Asked for help");
    assertThat(engine.decisions("ann")).containsExactly(decision);
    assertThat(engine.consent("ann"))
        .isEqualTo(Map.of(Purpose.PROACTIVE_CHAT, new ConsentRecord(Purpose.PROACTIVE_CHAT, true, "api", T0)));
  }

  @Test
  void gate_optInWithoutConsent_suppresses() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_IN));

    await(engine.submit(help("ann", null)));

    assertThat(engine.decisions("ann")).singleElement().satisfies(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
      assertThat(d.reason()).isEqualTo("consent:proactive_chat");
    });
    assertThat(engine.consent("ann")).isEmpty();
  }

  @Test
  void gate_optOutWithoutConsent_sends() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_OUT));

    await(engine.submit(help("ann", null)));

    assertThat(engine.decisions("ann")).singleElement().satisfies(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT);
      assertThat(d.reason()).isEqualTo("sent");
    });
  }

  @Test
  void gate_consentInEventContext_appliesToThatVeryEvent() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_IN));

    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true))));

    assertThat(heardOne()).satisfies(d -> assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT));
    assertThat(engine.consent("ann"))
        .isEqualTo(Map.of(Purpose.PROACTIVE_CHAT, new ConsentRecord(Purpose.PROACTIVE_CHAT, true, "event", T0)));
  }

  @Test
  void gate_denialInEventContext_suppressesThatVeryEvent() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_OUT));

    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, false))));

    assertThat(heardOne()).satisfies(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
      assertThat(d.reason()).isEqualTo("consent:proactive_chat");
    });
  }

  @Test
  void setConsent_byAnonymousIdBeforeFirstEvent_appliesWhenThatEventAlsoCarriesTheUserId() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_IN));
    engine.setConsent("anon-3", Map.of(Purpose.PROACTIVE_CHAT, true), "api");

    await(engine.submit(event("web", Event.EventType.TRACK, "anon-3", "user-3", "Help Clicked", Map.of(), null)));

    assertThat(engine.customerOf("anon-3")).isEqualTo(engine.customerOf("user-3"));
    assertThat(heardOne()).satisfies(d -> assertThat(d.outcome()).isEqualTo(Decision.Outcome.SENT));
  }

  @Test
  void eventConsent_appliedAfterANewerApiDenial_doesNotOverrideIt() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    NudgeEngine engine = start(settings().withShards(1), blockFor("blocker", entered));
    engine.submit(help("blocker", null));
    assertThat(entered.await(WAIT_SECONDS, SECONDS)).isTrue();
    CompletableFuture<Void> granting = engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true)));
    clock.advance(Duration.ofSeconds(1));
    engine.setConsent("ann", Map.of(Purpose.PROACTIVE_CHAT, false), "api");
    clock.advance(Duration.ofSeconds(1));

    release.countDown();
    await(granting);

    assertThat(engine.consent("ann").get(Purpose.PROACTIVE_CHAT).granted()).isFalse();
    assertThat(engine.decisions("ann")).singleElement()
        .satisfies(d -> assertThat(d.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED));
  }

  @Test
  void eventConsent_repeatingTheCurrentChoice_isNotRecordedAgain() throws Exception {
    NudgeEngine engine = start(settings());

    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true))));
    clock.advance(Duration.ofSeconds(1));
    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true))));

    assertThat(engine.consentHistory("ann")).singleElement()
        .satisfies(c -> assertThat(c.at()).isEqualTo(T0));
  }

  @Test
  void visitorChoice_standsOverLaterEventsRepeatingTheBrowsersOldState() throws Exception {
    NudgeEngine engine = start(settings());
    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true))));
    clock.advance(Duration.ofSeconds(1));
    engine.setConsent("ann", Map.of(Purpose.PROACTIVE_CHAT, false), ConsentRecord.VISITOR);
    clock.advance(Duration.ofSeconds(1));

    await(engine.submit(help("ann", Map.of(Purpose.PROACTIVE_CHAT, true))));

    assertThat(engine.consent("ann").get(Purpose.PROACTIVE_CHAT))
        .satisfies(c -> assertThat(c.granted()).isFalse())
        .satisfies(c -> assertThat(c.source()).isEqualTo("visitor"));
    assertThat(engine.decisions("ann")).last()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("consent:proactive_chat"));
  }

  @Test
  void visitorChoice_givesWayToANewChoiceMadeInTheSitesBanner() throws Exception {
    NudgeEngine engine = start(settings());
    engine.setConsent("ann", Map.of(Purpose.PROACTIVE_CHAT, false), ConsentRecord.VISITOR);
    clock.advance(Duration.ofSeconds(1));

    await(engine.submit(event("web", Event.EventType.TRACK, "ann", null, "Consent Updated", Map.of(),
        Map.of(Purpose.PROACTIVE_CHAT, true))));

    assertThat(engine.consent("ann").get(Purpose.PROACTIVE_CHAT))
        .satisfies(c -> assertThat(c.granted()).isTrue())
        .satisfies(c -> assertThat(c.source()).isEqualTo("event"));
  }

  // --- dedupe --------------------------------------------------------------------------------

  @Test
  void submit_repeatedMessageIdFromTheSameSource_isAppliedOnce() throws Exception {
    NudgeEngine engine = start(settings());
    Event first = event("web", Event.EventType.PAGE, "eve", null, null, Map.of("path", "/a"), null);
    Event retry = new Event(first.messageId(), "web", Event.EventType.PAGE, "eve", null, null, null,
        Map.of("path", "/b"), Map.of(), null, null);

    await(engine.submit(first));
    await(engine.submit(retry));

    Journey journey = await(engine.journey("eve")).orElseThrow();
    assertThat(journey.getPageViewsThisSession()).isEqualTo(1);
    assertThat(journey.getRecentPaths()).containsExactly("/a");
  }

  @Test
  void submit_sameMessageIdFromAnotherSource_isApplied() throws Exception {
    NudgeEngine engine = start(settings());
    Event web = event("web", Event.EventType.PAGE, "eve", null, null, Map.of("path", "/a"), null);
    Event ios = new Event(web.messageId(), "ios", Event.EventType.PAGE, "eve", null, null, null,
        Map.of("path", "/b"), Map.of(), null, null);

    await(engine.submit(web));
    await(engine.submit(ios));

    Journey journey = await(engine.journey("eve")).orElseThrow();
    assertThat(journey.getPageViewsThisSession()).isEqualTo(2);
    assertThat(journey.getRecentPaths()).containsExactly("/a", "/b");
  }

  @Test
  void submit_withoutMessageId_isNeverTakenForARepeat() throws Exception {
    NudgeEngine engine = start(settings());
    Event page = new Event(null, "web", Event.EventType.PAGE, "eve", null, null, null, Map.of("path", "/a"),
        Map.of(), null, null);

    await(engine.submit(page));
    await(engine.submit(page));

    assertThat(await(engine.journey("eve")).orElseThrow().getPageViewsThisSession()).isEqualTo(2);
  }

  // --- time ----------------------------------------------------------------------------------

  @Test
  void timerRule_firesWhenOnlyTheClockMoves() throws Exception {
    NudgeEngine engine = start(settings().withConsentDefault(ConsentDefault.OPT_OUT));
    await(engine.submit(page("cara", "/checkout")));

    clock.advance(Duration.ofSeconds(29));
    await(engine.journey("cara")); // the shard has moved its rule clock to +29 s before answering

    assertThat(heard).isEmpty();

    clock.advance(Duration.ofSeconds(2));

    Decision decision = heard.poll(WAIT_SECONDS, SECONDS);
    assertThat(decision).isNotNull();
    assertThat(decision.engagement().rule()).isEqualTo("idle-checkout");
    assertThat(decision.engagement().createdAt()).isEqualTo(T0.plusSeconds(31));
    assertThat(decision.engagement().context()).containsEntry("currentPage", "/checkout");
    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.SENT);
    // the decision is recorded right after the listener returns
    waitUntil(() -> !engine.decisions("cara").isEmpty());
    assertThat(engine.decisions("cara")).containsExactly(decision);
  }

  // --- back pressure and shutdown ------------------------------------------------------------

  @Test
  void submit_shardQueueFull_throwsOverloadedNamingTheSetting() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    // one shard so the message names a known shard
    NudgeEngine engine = start(settings().withShards(1).withQueueCapacity(1), blockFor("slow", entered));
    CompletableFuture<Void> running = engine.submit(help("slow", null));
    assertThat(entered.await(WAIT_SECONDS, SECONDS)).isTrue();
    CompletableFuture<Void> queued = engine.submit(page("slow", "/a"));

    assertThatThrownBy(() -> engine.submit(page("slow", "/b")))
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e).hasMessage("shard 0 has 1 events queued, its limit of 1 (NUDGE_SHARD_QUEUE); retry later");
          assertThat(e.retryAfterSeconds()).isEqualTo(1);
        });
    assertThat(engine.queuedEvents()).isEqualTo(1);

    release.countDown();
    await(running);
    await(queued);
    Journey journey = await(engine.journey("slow")).orElseThrow();
    assertThat(journey.getRecentPaths()).containsExactly("/a");
    assertThat(journey.getLastSequence()).isEqualTo(2);
  }

  @Test
  void close_finishesTheQueuedEvents() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    // one shard so that every event waits behind the blocked one
    NudgeEngine engine = start(settings().withShards(1).withConsentDefault(ConsentDefault.OPT_OUT),
        blockFor("blocker", entered));
    engine.submit(help("blocker", null));
    assertThat(entered.await(WAIT_SECONDS, SECONDS)).isTrue();
    List<CompletableFuture<Void>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(engine.submit(help("dora", null)));
    }
    Thread closer = new Thread(engine::close, "closer");
    closer.start();
    waitUntil(() -> closer.getState() == Thread.State.TIMED_WAITING); // stopped taking events, joining the shard
    assertThat(engine.queuedEvents()).isEqualTo(20);

    release.countDown();
    closer.join(SECONDS.toMillis(WAIT_SECONDS));

    assertThat(closer.isAlive()).isFalse();
    assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(engine.decisions("dora")).hasSize(20);
  }

  @Test
  void tick_failingDecisionStore_doesNotDropTheEventThatWokeTheShard() throws Exception {
    FailingConsentStore store = new FailingConsentStore();
    // a long tick, so the shard only moves its rule clock when an event wakes it
    EngineSettings settings = settings().withShards(1).withTick(Duration.ofMillis(500));
    ShardedEngine engine = ShardedEngine.start(settings, PACK, heard::add, new StoreWithConsent(store));
    engines.add(engine);
    await(engine.submit(page("cara", "/checkout")));
    store.failing = true;
    clock.advance(Duration.ofSeconds(31)); // cara's idle-checkout timer is now due

    CompletableFuture<Void> wakeUp = engine.submit(page("dan", "/"));

    assertThat(wakeUp).succeedsWithin(Duration.ofSeconds(WAIT_SECONDS));
  }

  @Test
  void submit_aliasWithoutUserId_isRefusedAsInvalidInput() {
    NudgeEngine engine = start(settings());
    Event alias = new Event("m-alias", "web", Event.EventType.ALIAS, "anon-1", null, "old-id", null, Map.of(),
        Map.of(), null, null);

    assertThatThrownBy(() -> engine.submit(alias))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("userId");
  }

  // --- identity ------------------------------------------------------------------------------

  @Test
  void identify_linksAnonymousIdToUserId_laterUserOnlyEventsJoinTheSameJourney() throws Exception {
    NudgeEngine engine = start(settings());
    await(engine.submit(page("anon-7", "/home")));
    await(engine.submit(event("web", Event.EventType.IDENTIFY, "anon-7", "user-7", null, Map.of(), null)));

    await(engine.submit(event("web", Event.EventType.PAGE, null, "user-7", null, Map.of("path", "/account"), null)));
    await(engine.submit(event("web", Event.EventType.TRACK, null, "user-7", "Help Clicked", Map.of(), null)));

    assertThat(engine.customerOf("anon-7")).contains("anon-7");
    assertThat(engine.customerOf("user-7")).contains("anon-7");
    assertThat(engine.customerOf("someone-else")).isEmpty();
    Journey journey = await(engine.journey("user-7")).orElseThrow();
    assertThat(journey.getCustomerId()).isEqualTo("anon-7");
    assertThat(journey.getRecentPaths()).containsExactly("/home", "/account");
    assertThat(journey.getAnonymousId()).isEqualTo("anon-7");
    assertThat(journey.getUserId()).isEqualTo("user-7");
    assertThat(await(engine.journey("anon-7")).orElseThrow().getLastSequence()).isEqualTo(4);
    assertThat(engine.decisions("anon-7")).singleElement().satisfies(d -> {
      assertThat(d.engagement().customerId()).isEqualTo("anon-7");
      assertThat(d.engagement().userId()).isEqualTo("user-7");
    });
    assertThat(engine.decisions("user-7")).isEqualTo(engine.decisions("anon-7"));
  }

  @Test
  void unknownCustomer_hasNoJourneyDecisionsOrConsent() throws Exception {
    NudgeEngine engine = start(settings());

    assertThat(await(engine.journey("ghost"))).isEqualTo(Optional.empty());
    assertThat(engine.decisions("ghost")).isEmpty();
    assertThat(engine.consent("ghost")).isEmpty();
    assertThat(engine.rules()).isSameAs(PACK);
  }

  // --- helpers -------------------------------------------------------------------------------

  private EngineSettings settings() {
    return EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock).withShards(2).withTick(Duration.ofMillis(5));
  }

  private NudgeEngine start(EngineSettings settings) {
    return start(settings, heard::add);
  }

  private NudgeEngine start(EngineSettings settings, DecisionListener listener) {
    NudgeEngine engine = NudgeEngine.start(settings, PACK, listener);
    engines.add(engine);
    return engine;
  }

  /** A listener that holds the shard thread on the first decision about {@code customer} until released. */
  private DecisionListener blockFor(String customer, CountDownLatch entered) {
    return d -> {
      heard.add(d);
      if (d.engagement().customerId().equals(customer)) {
        entered.countDown();
        try {
          release.await(WAIT_SECONDS * 2, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private Event page(String anonymousId, String path) {
    return event("web", Event.EventType.PAGE, anonymousId, null, null, Map.of("path", path), null);
  }

  private Event help(String anonymousId, Map<Purpose, Boolean> consent) {
    return event("web", Event.EventType.TRACK, anonymousId, null, "Help Clicked", Map.of(), consent);
  }

  private Event event(String source, Event.EventType type, String anonymousId, String userId, String name,
      Map<String, Object> properties, Map<Purpose, Boolean> consent) {
    Object path = properties.get("path");
    Event.Page page = path == null ? null : new Event.Page((String) path, null, null, null, null);
    return new Event("m" + (++messages), source, type, anonymousId, userId, null, name, properties, Map.of(),
        clock.instant(), new Event.EventContext(page, null, null, null, null, consent));
  }

  /** The one decision the listener heard so far; the listener runs before the event's future completes. */
  private Decision heardOne() {
    assertThat(heard).hasSize(1);
    return heard.poll();
  }

  /** A consent store that fails while {@link #failing} is set, like a database that went away. */
  /** A memory store whose consent can fail. */
  private final class StoreWithConsent implements EngineStore {
    private final MemoryStore memory = new MemoryStore(clock);
    private final ConsentStore consent;

    StoreWithConsent(ConsentStore consent) {
      this.consent = consent;
    }

    @Override
    public EventLog events() {
      return memory.events();
    }

    @Override
    public JourneyStore journeys() {
      return memory.journeys();
    }

    @Override
    public ConsentStore consent() {
      return consent;
    }

    @Override
    public IdentityStore identities() {
      return memory.identities();
    }

    @Override
    public DecisionLog decisions() {
      return memory.decisions();
    }

    @Override
    public io.nudge.engine.store.Outbox outbox() {
      return memory.outbox();
    }

    @Override
    public io.nudge.engine.store.TimelineStore timeline() {
      return memory.timeline();
    }

    @Override
    public boolean isEphemeral() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static final class FailingConsentStore implements ConsentStore {
    private final MemoryConsentStore delegate = new MemoryConsentStore();
    volatile boolean failing;

    @Override
    public void record(String customerId, ConsentRecord choice) {
      delegate.record(customerId, choice);
    }

    @Override
    public List<ConsentRecord> history(String customerId) {
      return delegate.history(customerId);
    }

    @Override
    public int erase(String customerId) {
      return delegate.erase(customerId);
    }

    @Override
    public Map<Purpose, ConsentRecord> current(String customerId) {
      if (failing) {
        throw new IllegalStateException("consent store down");
      }
      return delegate.current(customerId);
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(WAIT_SECONDS, SECONDS);
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within %d s", WAIT_SECONDS).isLessThan(deadline);
      Thread.sleep(1);
    }
  }
}
