package io.nudge.engine.privacy;

import io.nudge.engine.policy.ContactPolicy;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.RulePack;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.rocks.RocksStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class PersonalDataTest {
  private static final RulePack PACK = RulePack.compile(Map.of("p.drl", """
      package p;
      import io.nudge.engine.facts.*;
      rule "noop" when Journey( currentPath == "/never" ) then end
      """));

  private static Event identify(Map<String, Object> traits) {
    return new Event("m1", "web", Event.EventType.IDENTIFY, "anon-1", "user-1", null, null, Map.of(), traits,
        Instant.parse("2026-11-23T10:00:00Z"), null);
  }

  @Test
  void hash_replacesPersonalFieldsWithEqualPseudonyms_andKeepsTheRest() {
    PersonalData policy = PersonalData.defaults();

    Event out = policy.minimise(identify(Map.of("Email", "ann@example.com", "plan", "gold", "name", "Ann")),
        v -> "pseudonym:" + v.length());

    assertThat(out.traits()).containsEntry("Email", "pseudonym:15").containsEntry("name", "pseudonym:3")
        .containsEntry("plan", "gold");
  }

  @Test
  void drop_removesPersonalFields() {
    PersonalData policy = new PersonalData(Set.of("email"), PersonalData.Mode.DROP);

    Event out = policy.minimise(identify(Map.of("email", "ann@example.com", "plan", "gold")), v -> "x");

    assertThat(out.traits()).containsOnlyKeys("plan");
  }

  @Test
  void eventWithoutPersonalFields_isTheSameEvent() {
    Event in = identify(Map.of("plan", "gold"));

    assertThat(PersonalData.defaults().minimise(in, v -> "x")).isSameAs(in);
  }

  @Test
  void theEventLogAndTheDataFolder_neverHoldTheEmailInClear() throws Exception {
    Path dir = Files.createTempDirectory("nudge-pii");
    InstantSource clock = InstantSource.fixed(Instant.parse("2026-11-23T10:00:00Z"));
    RocksStore store = RocksStore.open(dir, clock);
    NudgeEngine engine = NudgeEngine.start(EngineSettings.defaults().withPolicy(ContactPolicy.none()).withClock(clock).withShards(1), PACK,
        d -> { }, store);
    engine.submit(List.of(identify(Map.of("email", "zoe.unique@example.org", "phone", "+442079460958"))),
        NudgeEngine.Ack.APPLIED).get(5, SECONDS);
    List<LoggedEvent> logged = new ArrayList<>();
    store.events().replay(1, logged::add);
    engine.close();
    store.close();

    assertThat(logged).singleElement().satisfies(le -> {
      assertThat(le.event().traits().get("email").toString()).startsWith("pseudonym:");
      assertThat(le.event().traits().get("phone").toString()).startsWith("pseudonym:");
    });
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1))
            .as(f.toString()).doesNotContain("zoe.unique", "2079460958");
      }
    }
  }
}
