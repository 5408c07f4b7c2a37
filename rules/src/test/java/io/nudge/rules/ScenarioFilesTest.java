package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.RulePack;
import io.nudge.engine.scenario.Report;
import io.nudge.engine.scenario.ScenarioRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The analysts' scenario files (rules/tests/*.yaml) pass, and the runner fails readably when one is wrong. */
final class ScenarioFilesTest {
  private static final Path RULES = Path.of(System.getProperty("nudge.rules.dir", "."));

  @TempDir
  Path dir;

  @Test
  void defaultPack_passesEveryScenarioFile() {
    Report report = ScenarioRunner.run(RULES);

    assertThat(report.passed()).as("%s", report).isTrue();
    assertThat(report.scenarios()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void docsExample_passesAgainstTheDefaultPack() throws IOException {
    String guide = Files.readString(RULES.resolve("../docs/rules.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```yaml\\n(# rules/tests/.*?)```", Pattern.DOTALL).matcher(guide);
    assertThat(m.find()).as("a ```yaml example of a scenario file in docs/rules.md").isTrue();
    scenario("docs.yaml", m.group(1));

    Report report = ScenarioRunner.run(RulePack.load(RULES), dir);

    assertThat(report).hasToString("2 scenarios passed");
  }

  @Test
  void wrongExpectation_failsNamingFileScenarioExpectedActualAndFiredRules() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("wrong.yaml", """
        scenario: a cancel page offers a chat
        customer: {userId: gus}
        consent: {callback: granted, proactive_chat: granted}
        events:
          - at: +0s
            page: /account/cancel
        expect:
          - {type: proactive_chat, rule: checkout-hesitation, queue: sales}
        """);

    Report report = ScenarioRunner.run(dir);

    assertThat(report.passed()).isFalse();
    assertThat(report.toString()).isEqualTo("""
        FAIL tests/wrong.yaml: a cancel page offers a chat
          expected:
            proactive_chat checkout-hesitation queue=sales
          actual:
            callback cancel-intent at +0s queue=retention \
        message="Thinking of cancelling? We can call you back to talk through your options."
          rules fired: cancel-intent at +0s

        1 of 1 scenarios failed""");
  }

  @Test
  void expectedNone_butSuppressedByConsent_listsTheSuppressedEngagement() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("none.yaml", """
        scenario: passes
        customer: {userId: gus}
        consent: {callback: denied}
        events:
          - {at: +0s, page: /account/cancel}
        expect: none
        ---
        scenario: expects a callback consent forbids
        customer: {userId: gus}
        consent: {callback: denied}
        events:
          - {at: +0s, page: /account/cancel}
        expect:
          - {type: callback, rule: cancel-intent}
        """);

    assertThat(ScenarioRunner.run(dir).toString()).isEqualTo("""
        FAIL tests/none.yaml: expects a callback consent forbids
          expected:
            callback cancel-intent
          actual:
            none
            (suppressed by consent:callback) callback cancel-intent at +0s queue=retention \
        message="Thinking of cancelling? We can call you back to talk through your options."
          rules fired: cancel-intent at +0s

        1 of 2 scenarios failed""");
  }

  @Test
  void unknownKey_isReportedWithFileScenarioAndKnownKeys() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("typo.yaml", """
        scenario: typo
        events:
          - {at: +0s, page: /account/cancel}
        expects: none
        """);

    assertThat(ScenarioRunner.run(dir).toString()).isEqualTo("""
        FAIL tests/typo.yaml: typo
          error: unknown key expects; known keys: scenario, customer, consent, events, then, expect

        1 of 1 scenarios failed""");
  }

  @Test
  void badTime_isReportedWithTheValueAndWhatATimeLooksLike() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("time.yaml", """
        scenario: bad time
        events:
          - {at: 35 sec, page: /account/cancel}
        expect: none
        """);

    assertThat(ScenarioRunner.run(dir).toString()).isEqualTo("""
        FAIL tests/time.yaml: bad time
          error: events[0].at "35 sec" is not a time such as +35s, +2m, +1h30m or +3d (at most 366d)

        1 of 1 scenarios failed""");
  }

  @Test
  void eventsOutOfOrder_areReported() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("order.yaml", """
        scenario: out of order
        events:
          - {at: +10s, page: /a}
          - {at: +5s, page: /b}
        expect: none
        """);

    assertThat(ScenarioRunner.run(dir).failures()).singleElement().hasToString("""
        FAIL tests/order.yaml: out of order
          error: events[1].at +5s is before events[0].at +10s; list events in time order""");
  }

  @Test
  void notYaml_isReportedForTheFileWithLineAndColumn() throws IOException {
    copyRule("cancel-intent.drl");
    scenario("broken.yaml", "scenario: [unclosed\n");

    assertThat(ScenarioRunner.run(dir).toString()).isEqualTo("""
        FAIL tests/broken.yaml
          error: not valid YAML: expected ',' or ']', but got <stream end> (line 2, column 1)

        1 file could not be read""");
  }

  @Test
  void noScenarioFiles_doesNotPass() throws IOException {
    copyRule("cancel-intent.drl");

    Report report = ScenarioRunner.run(dir);

    assertThat(report.passed()).isFalse();
    assertThat(report).hasToString(
        "no scenarios found: put scenario files (*.yaml) in the rules folder's tests folder");
  }

  /** A copy of the default cancel-intent rule, so these tests do not change when the pack does. */
  private void copyRule(String name) throws IOException {
    Files.writeString(dir.resolve(name), """
        package nudge.rules;

        import io.nudge.engine.facts.*;
        global io.nudge.engine.facts.Actions nudge;

        rule "cancel-intent" @reason("test reason") @dataUsed("test data")
        when
          $e : CustomerEvent( $c : customerId, isPageView() && path.contains("/cancel") )
          not Offer( customerId == $c, rule == "cancel-intent" )
        then
          nudge.callback("retention", "Thinking of cancelling? We can call you back to talk through your options.");
        end
        """, StandardCharsets.UTF_8);
  }

  private void scenario(String name, String text) throws IOException {
    Files.createDirectories(dir.resolve("tests"));
    Files.writeString(dir.resolve("tests").resolve(name), text, StandardCharsets.UTF_8);
  }
}
