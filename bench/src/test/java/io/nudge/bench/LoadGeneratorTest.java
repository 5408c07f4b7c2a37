package io.nudge.bench;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.server.delivery.EngagementJson;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the load generator reads the engagements it measures. */
final class LoadGeneratorTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.250Z");

  @Test
  void aTimerRulesEngagement_isMeasuredFromTheEventItsWaitStartedFrom() throws Exception {
    AtomicLong now = new AtomicLong(T0.toEpochMilli());
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    List<Decision> decided = new CopyOnWriteArrayList<>();
    RulePack pack = RulePack.load(Path.of(System.getProperty("nudge.rules.dir", "../rules")));
    try (NudgeEngine engine = NudgeEngine.start(EngineSettings.defaults().withPolicy(ContactPolicy.none())
        .withClock(clock).withShards(1).withTick(Duration.ofMillis(5)), pack, decided::add)) {
      send(engine, clock, page("/products/lamp", Map.of(Purpose.PROACTIVE_CHAT, true)));
      send(engine, clock, track("Product Added", Map.of("product_id", "lamp", "price", 150, "quantity", 1)));
      now.addAndGet(1_500);
      send(engine, clock, page("/checkout", Map.of()));
      long checkout = now.get();
      now.addAndGet(31_000);
      long deadline = System.nanoTime() + SECONDS.toNanos(5);
      while (decided.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(decided).singleElement()
          .satisfies(d -> assertThat(d.engagement().rule()).isEqualTo("checkout-hesitation"));
      String json = EngagementJson.toJson(decided.get(0).engagement()).encode();

      assertThat(LoadGenerator.waitStartedAt(new ObjectMapper().readTree(json))).isEqualTo(checkout);
    }
  }

  @Test
  void anEngagementThatNamesNoEvent_hasNoWaitToMeasureFrom() throws Exception {
    assertThat(LoadGenerator.waitStartedAt(new ObjectMapper().readTree(
        "{\"rule\":\"r\",\"context\":{\"matched\":[\"Journey on /a, cart 0.0 (0 items)\"]}}"))).isEqualTo(-1);
    assertThat(LoadGenerator.waitStartedAt(new ObjectMapper().readTree("{\"rule\":\"r\"}"))).isEqualTo(-1);
  }

  private int messages;

  private Event page(String path, Map<Purpose, Boolean> consent) {
    return event(Event.EventType.PAGE, null, Map.of("path", path), path, consent);
  }

  private Event track(String name, Map<String, Object> properties) {
    return event(Event.EventType.TRACK, name, properties, null, Map.of());
  }

  private Event event(Event.EventType type, String name, Map<String, Object> properties, String path,
      Map<Purpose, Boolean> consent) {
    Event.Page page = path == null ? null : new Event.Page(path, null, null, null, null);
    return new Event("m" + (++messages), "web", type, "visitor-1", null, null, name, properties, Map.of(),
        Instant.EPOCH, new Event.EventContext(page, null, null, null, null, consent));
  }

  private static void send(NudgeEngine engine, InstantSource clock, Event e) throws Exception {
    Event stamped = new Event(e.messageId(), e.source(), e.type(), e.anonymousId(), e.userId(), e.previousId(),
        e.name(), e.properties(), e.traits(), clock.instant(), e.context());
    engine.submit(List.of(stamped), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }
}
