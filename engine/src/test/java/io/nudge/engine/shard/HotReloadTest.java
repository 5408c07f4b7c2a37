package io.nudge.engine.shard;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.policy.ContactPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rules swapped while events pour in: nothing lost, nothing applied twice, nothing asked twice. */
final class HotReloadTest {
  private static final String RULES = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-chat" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/help" )
        not Offer( customerId == $c, rule == "help-chat" )
      then
        nudge.chat("support", "%s");
      end
      """;
  private static final Map<Purpose, Boolean> ALL = Map.of(Purpose.PROACTIVE_CHAT, true);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final LinkedBlockingQueue<Decision> heard = new LinkedBlockingQueue<>();
  private final ShardedEngine engine = ShardedEngine.start(EngineSettings.defaults().withShards(2)
      .withPolicy(ContactPolicy.none()).withClock(clock), pack("v1"), heard::add);
  private int messages;

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void reloadUnderContinuousLoad_everyEventAppliedOnce_andNoEngagementAskedTwice() throws Exception {
    int customers = 50;
    int[] sent = new int[customers];
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> failures = new ArrayList<>();
    Thread writer = new Thread(() -> {
      int i = 0;
      while (!stop.get()) {
        int c = i++ % customers;
        String path = i % 7 == 0 ? "/help" : "/page/" + i;
        try {
          engine.submit(List.of(page("c" + c, path)), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
          sent[c]++;
        } catch (Exception e) {
          failures.add(e);
          return;
        }
      }
    }, "writer");
    writer.start();
    for (int v = 2; v <= 6; v++) {
      Thread.sleep(150);
      engine.reload(pack("v" + v)).get(5, SECONDS);
      assertThat(engine.rules().version()).isEqualTo(pack("v" + v).version());
    }
    stop.set(true);
    writer.join(10_000);

    assertThat(failures).isEmpty();
    int total = 0;
    for (int c = 0; c < customers; c++) {
      Journey j = engine.journey("c" + c).get(5, SECONDS).orElseThrow();
      assertThat(j.getPageViewsThisSession()).as("page views of c%d", c).isEqualTo(sent[c]);
      total += sent[c];
    }
    assertThat(total).isGreaterThan(500); // the swaps really happened under load
    List<Decision> decisions = new ArrayList<>(heard);
    assertThat(decisions).extracting(d -> d.engagement().customerId()).doesNotHaveDuplicates();
    assertThat(decisions).hasSizeGreaterThanOrEqualTo(customers / 2);
  }

  @Test
  void reload_newRulesApplyToTheNextEvent_engagementsAlreadyAskedAreNotAskedAgain() throws Exception {
    submit(page("ann", "/help"));
    assertThat(heard.poll(5, SECONDS).engagement().fields().get("message")).isEqualTo("v1");

    engine.reload(pack("v2")).get(5, SECONDS);
    submit(page("ann", "/help"));
    submit(page("bob", "/help"));

    Decision bob = heard.poll(5, SECONDS);
    assertThat(bob.engagement().fields().get("message")).isEqualTo("v2");
    assertThat(bob.engagement().anonymousId()).isEqualTo("bob");
    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull(); // ann not again
  }

  @Test
  void reload_addingARuleFile_runsTheNewRuleAtOnceOnCustomersAlreadyThere_andNoOtherRuleAgain() throws Exception {
    submit(page("ann", "/help"));
    assertThat(heard.poll(5, SECONDS).engagement().rule()).isEqualTo("help-chat");

    engine.reload(RulePack.compile(Map.of("reload.drl", RULES.formatted("v1"), "tips.drl", HELP_TIP)))
        .get(5, SECONDS);

    Decision tip = heard.poll(5, SECONDS);
    assertThat(tip.engagement().rule()).isEqualTo("help-tip");
    assertThat(tip.engagement().customerId()).isEqualTo("ann");
    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
    assertThat(engine.journey("ann").get(5, SECONDS).orElseThrow().getPageViewsThisSession()).isEqualTo(1);
  }

  @Test
  void reload_removingARuleFile_stopsItsRule_forTheNextEvent() throws Exception {
    engine.reload(RulePack.compile(Map.of("reload.drl", RULES.formatted("v1"), "tips.drl", HELP_TIP)))
        .get(5, SECONDS);
    engine.reload(pack("v1")).get(5, SECONDS);

    submit(page("bob", "/help"));

    assertThat(heard.poll(5, SECONDS).engagement().rule()).isEqualTo("help-chat");
    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void reload_ofAFolderCompiledFromTheRunningPack_takesItsChangeInPlace_newRuleOnCustomersThere_oldOneNotAgain(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("reload.drl"), RULES.formatted("v1"));
    engine.reload(RulePack.load(dir)).get(5, SECONDS);
    submit(page("ann", "/help"));
    assertThat(heard.poll(5, SECONDS).engagement().rule()).isEqualTo("help-chat");

    java.nio.file.Files.writeString(dir.resolve("tips.drl"), HELP_TIP);
    RulePack next = RulePack.load(dir, engine.rules());
    assertThat(RulePack.change(engine.rules(), next)).as("a change in place, worked out while compiling").isPresent();
    engine.reload(next).get(5, SECONDS);

    Decision tip = heard.poll(5, SECONDS);
    assertThat(tip.engagement().rule()).isEqualTo("help-tip");
    assertThat(tip.engagement().customerId()).isEqualTo("ann");
    assertThat(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
    submit(page("bob", "/help"));
    assertThat(List.of(heard.poll(5, SECONDS), heard.poll(5, SECONDS))).extracting(d -> d.engagement().rule())
        .containsExactlyInAnyOrder("help-chat", "help-tip");
  }

  private static final String HELP_TIP = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-tip" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/help" )
        not Offer( customerId == $c, rule == "help-tip" )
      then
        nudge.tip("Help", "Our help pages");
      end
      """;

  private void submit(Event e) throws Exception {
    engine.submit(List.of(e), NudgeEngine.Ack.APPLIED).get(5, SECONDS);
  }

  private static RulePack pack(String version) {
    return RulePack.compile(Map.of("reload.drl", RULES.formatted(version)));
  }

  private Event page(String anonymousId, String path) {
    return new Event("m" + (++messages) + "-" + anonymousId, "web", Event.EventType.PAGE, anonymousId, null, null,
        null, Map.of("path", path), Map.of(), clock.instant(),
        new Event.EventContext(new Event.Page(path, null, null, null, null), null, null, null, null, ALL));
  }
}
