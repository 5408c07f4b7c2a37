package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.store.rocks.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A visitor who denied analytics is served from memory only: nothing on disk, never stitched, forgotten. */
final class MemoryOnlyTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final RulePack PACK = RulePack.compile(Map.of("memory-only.drl", """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-chat"
        @reason("Asked for help") @dataUsed("test data")
      when
        $j : Journey( $c : customerId, pageViewsThisSession >= 2 )
        CustomerEvent( customerId == $c, name == "Help Clicked" )
      then
        nudge.chat("support", "How can we help?");
      end
      """));
  private static final Map<Purpose, Boolean> NO_ANALYTICS = Map.of(Purpose.ANALYTICS, false,
      Purpose.PROACTIVE_CHAT, true);

  private final ManualClock clock = new ManualClock(T0);
  private final LinkedBlockingQueue<Decision> heard = new LinkedBlockingQueue<>();
  private final Path dir = tempDir();
  private final RocksStore store = RocksStore.open(dir, clock);
  private final ShardedEngine engine = ShardedEngine.start(EngineSettings.defaults().withShards(2)
      .withPolicy(ContactPolicy.none()).withClock(clock), PACK, heard::add, store);
  private final List<Event> sent = new ArrayList<>();
  private int messages;

  @AfterEach
  void close() {
    engine.close();
    store.close();
  }

  @Test
  void analyticsDeniedInTheEvent_rulesStillRun_butNoEventJourneyOrIdentityIsStored() throws Exception {
    long logBefore = store.events().lastSequence();

    submit(event("ann", null, Event.EventType.PAGE, null, "/a", NO_ANALYTICS));
    submit(event("ann", null, Event.EventType.PAGE, null, "/b", Map.of()));
    submit(event("ann", null, Event.EventType.TRACK, "Help Clicked", null, Map.of()));

    Decision d = heard.poll(5, SECONDS);
    assertThat(d.reason()).isEqualTo("sent");
    assertThat(d.engagement().customerId()).isEqualTo("x:a:ann");
    assertThat(d.engagement().anonymousId()).isEqualTo("ann");
    assertThat(d.engagement().context()).containsOnlyKeys("reason", "dataUsed", "memoryOnly", "consent");
    assertThat(store.events().lastSequence()).isEqualTo(logBefore);
    assertThat(engine.customerOf("ann")).isEmpty();
    assertThat(engine.decisions("ann")).extracting(x -> x.engagement().id()).containsExactly(d.engagement().id());
    engine.close(); // saves every journey the shards hold
    List<String> saved = new ArrayList<>();
    store.journeys().forEach((customerId, snapshot) -> saved.add(customerId));
    assertThat(saved).isEmpty();
    assertThat(store.consent().current("x:a:ann")).isEmpty();
  }

  @Test
  void analyticsDenied_identifyDoesNotStitchTheDeviceToTheUser() throws Exception {
    submit(event("ann", null, Event.EventType.PAGE, null, "/a", NO_ANALYTICS));
    submit(event("ann", "user-7", Event.EventType.IDENTIFY, null, null, Map.of()));

    assertThat(engine.customerOf("user-7")).isEmpty();
    assertThat(engine.customerOf("ann")).isEmpty();
    assertThat(engine.journeyInSession("x:a:ann").get(5, SECONDS)).hasValueSatisfying(j ->
        assertThat(j.getPageViewsThisSession()).isEqualTo(1));
  }

  @Test
  void memoryOnlyVisitor_forgottenOnceTheVisitHasEnded_notBefore() throws Exception {
    submit(event("ann", null, Event.EventType.PAGE, null, "/a", NO_ANALYTICS));
    clock.advance(Duration.ofMinutes(29));
    engine.forgetEndedVisitsNow();
    assertThat(engine.journeyInSession("x:a:ann").get(5, SECONDS)).isPresent();

    clock.advance(Duration.ofMinutes(2));
    Thread.sleep(100); // the shards' ticks move their rule clocks to the new time
    engine.forgetEndedVisitsNow();

    assertThat(engine.journeyInSession("x:a:ann").get(5, SECONDS)).isEmpty();
  }

  @Test
  void analyticsDeniedThroughTheApi_laterEventsStayInMemory_withTheCustomersOtherChoices() throws Exception {
    submit(event("bob", null, Event.EventType.PAGE, null, "/a", Map.of(Purpose.PROACTIVE_CHAT, true)));
    long logged = store.events().lastSequence();
    engine.setConsent("bob", Map.of(Purpose.ANALYTICS, false), "api");

    submit(event("bob", null, Event.EventType.PAGE, null, "/b", Map.of()));
    submit(event("bob", null, Event.EventType.PAGE, null, "/c", Map.of()));
    submit(event("bob", null, Event.EventType.TRACK, "Help Clicked", null, Map.of()));

    assertThat(store.events().lastSequence()).isEqualTo(logged);
    Decision d = heard.poll(5, SECONDS);
    assertThat(d.engagement().customerId()).isEqualTo("x:a:bob");
    assertThat(d.reason()).isEqualTo("sent"); // proactive_chat granted before, still granted
  }

  @Test
  void analyticsGrantedAgain_theDeviceIsStoredAgain() throws Exception {
    submit(event("cara", null, Event.EventType.PAGE, null, "/a", NO_ANALYTICS));
    long logged = store.events().lastSequence();

    submit(event("cara", null, Event.EventType.PAGE, null, "/b", Map.of(Purpose.ANALYTICS, true)));

    assertThat(store.events().lastSequence()).isEqualTo(logged + 1);
    assertThat(engine.customerOf("cara")).isPresent();
  }

  @Test
  void privacySignal_deniesAnalytics_soTheVisitorIsMemoryOnly() throws Exception {
    long logged = store.events().lastSequence();
    Event gpc = new Event("g1", "web", Event.EventType.PAGE, "dan", null, null, null, Map.of("path", "/"), Map.of(),
        clock.instant(), new Event.EventContext(null, null, null, null, null, Map.of(Purpose.ANALYTICS, true),
            Map.of(Purpose.ANALYTICS, false, Purpose.PERSONALIZATION, false)));

    submit(gpc);

    assertThat(store.events().lastSequence()).isEqualTo(logged);
    assertThat(engine.customerOf("dan")).isEmpty();
  }

  private void submit(Event e) throws Exception {
    engine.submit(List.of(e), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  private Event event(String anonymousId, String userId, Event.EventType type, String name, String path,
      Map<Purpose, Boolean> consent) {
    Event.Page page = path == null ? null : new Event.Page(path, null, null, null, null);
    return new Event("m" + (++messages), "web", type, anonymousId, userId, null, name,
        path == null ? Map.of() : Map.of("path", path), Map.of(), clock.instant(),
        new Event.EventContext(page, null, null, null, null, consent));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-memory-only");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
