package io.nudge.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.EngagementType;
import io.nudge.engine.policy.Cap;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.policy.Cooldown;
import io.nudge.engine.policy.QueueRules;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class PolicyFileTest {

  @Test
  void shippedPolicyFile_isExactlyTheDefaults() {
    Path shipped = Path.of(System.getProperty("nudge.rules.dir", "../rules"), "policy.yaml");

    assertThat(PolicyFile.read(shipped)).isEqualTo(ContactPolicy.defaults());
  }

  @Test
  void emptyFile_meansTheDefaults_andAMissingSectionKeepsItsDefault() {
    assertThat(PolicyFile.parse("", "policy.yaml")).isEqualTo(ContactPolicy.defaults());

    ContactPolicy p = PolicyFile.parse("holdouts:\n  checkout-hesitation: 10%\n", "policy.yaml");

    assertThat(p.holdouts()).isEqualTo(Map.of("checkout-hesitation", 10));
    assertThat(p.caps()).isEqualTo(ContactPolicy.defaults().caps());
  }

  @Test
  void everySection_readIntoThePolicy() {
    ContactPolicy p = PolicyFile.parse("""
        caps:
          - {name: chats, type: proactive_chat, max: 1, per: 12h}
        cooldowns:
          - {after: ignored, type: tip, for: 30m}
        quietHours: {from: "22:00", until: "7:30", types: [callback, proactive_chat], defaultZone: Europe/Berlin}
        queues:
          sales:
            zone: Europe/Paris
            hours:
              monday: "09:00-18:00"
              friday: ["09:00-12:30", "13:30-24:00"]
              sunday: closed
            holidays: ["2026-12-25"]
            maxWait: 3m
        holdouts: {form-struggle: 5}
        arbitrationWindow: 0s
        activeChat: 45m
        pendingCallback: 2d
        """, "policy.yaml");

    assertThat(p.caps()).containsExactly(new Cap("chats", EngagementType.PROACTIVE_CHAT, 1, Duration.ofHours(12)));
    assertThat(p.cooldowns()).containsExactly(new Cooldown("ignored", EngagementType.TIP, Duration.ofMinutes(30)));
    assertThat(p.quietHours().from()).isEqualTo(LocalTime.of(22, 0));
    assertThat(p.quietHours().until()).isEqualTo(LocalTime.of(7, 30));
    assertThat(p.quietHours().types()).isEqualTo(Set.of(EngagementType.CALLBACK, EngagementType.PROACTIVE_CHAT));
    assertThat(p.quietHours().defaultZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    QueueRules sales = p.queue("sales");
    assertThat(sales.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(sales.week()).isEqualTo(Map.of(
        DayOfWeek.MONDAY, List.of(new QueueRules.Opening(LocalTime.of(9, 0), LocalTime.of(18, 0))),
        DayOfWeek.FRIDAY, List.of(new QueueRules.Opening(LocalTime.of(9, 0), LocalTime.of(12, 30)),
            new QueueRules.Opening(LocalTime.of(13, 30), LocalTime.MAX)),
        DayOfWeek.SUNDAY, List.of()));
    assertThat(sales.holidays()).containsExactly(LocalDate.of(2026, 12, 25));
    assertThat(sales.maxWait()).isEqualTo(Duration.ofMinutes(3));
    assertThat(sales.isOpen(Instant.parse("2026-11-27T22:59:00Z"))).isTrue(); // Friday 23:59 in Paris
    assertThat(p.holdouts()).isEqualTo(Map.of("form-struggle", 5));
    assertThat(p.arbitrationWindow()).isZero();
    assertThat(p.activeChat()).isEqualTo(Duration.ofMinutes(45));
    assertThat(p.pendingCallback()).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void quietHoursNull_turnsThemOff() {
    assertThat(PolicyFile.parse("quietHours: null\n", "policy.yaml").quietHours()).isNull();
  }

  @Test
  void unknownKey_rejectedNamingItAndTheKnownOnes() {
    assertThatThrownBy(() -> PolicyFile.parse("cap:\n  - {name: x, max: 1, per: 1d}\n", "policy.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("policy.yaml: cap is not a policy setting; known here: activeChat, arbitrationWindow, caps, "
            + "cooldowns, holdouts, pendingCallback, queues, quietHours");
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - {name: x, maximum: 1, per: 1d}\n", "policy.yaml"))
        .hasMessage("policy.yaml: caps[0].maximum is not a policy setting; known here: max, name, per, type");
  }

  @Test
  void badValues_rejectedWithPathAndValue() {
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - {name: x, max: three, per: 1d}\n", "policy.yaml"))
        .hasMessage("policy.yaml: caps[0].max is \"three\", must be a whole number");
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - {name: x, max: 1, per: a day}\n", "policy.yaml"))
        .hasMessage("policy.yaml: caps[0].per is \"a day\", must be a duration such as 500ms, 30s, 30m, 24h or 7d");
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - {name: x, type: sms, max: 1, per: 1d}\n", "policy.yaml"))
        .hasMessage("policy.yaml: caps[0].type is \"sms\", must be proactive_chat, callback or tip");
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - {max: 1, per: 1d}\n", "policy.yaml"))
        .hasMessage("policy.yaml: caps[0].name is required");
    assertThatThrownBy(() -> PolicyFile.parse("cooldowns:\n  - {after: accepted, for: 1h}\n", "policy.yaml"))
        .hasMessage("policy.yaml: cooldowns[0].after is \"accepted\", must be declined or ignored");
    assertThatThrownBy(() -> PolicyFile.parse("queues:\n  sales: {zone: Paris}\n", "policy.yaml"))
        .hasMessage("policy.yaml: queues.sales.zone is \"Paris\", not a time zone: use a name such as "
            + "Europe/Paris or UTC");
    assertThatThrownBy(() -> PolicyFile.parse("queues:\n  sales: {hours: {funday: \"09:00-17:00\"}}\n",
        "policy.yaml")).hasMessage("policy.yaml: queues.sales.hours.funday is \"funday\", not a day: use monday to sunday");
    assertThatThrownBy(() -> PolicyFile.parse("queues:\n  sales: {hours: {monday: \"18:00-09:00\"}}\n",
        "policy.yaml")).hasMessage("policy.yaml: queues.sales.hours.monday is \"18:00-09:00\", must open before it closes");
    assertThatThrownBy(() -> PolicyFile.parse("queues:\n  sales: {holidays: [christmas]}\n", "policy.yaml"))
        .hasMessage("policy.yaml: queues.sales.holidays[0] is \"christmas\", must be a date such as 2026-12-25");
    assertThatThrownBy(() -> PolicyFile.parse("holdouts: {r: 150}\n", "policy.yaml"))
        .hasMessage("policy.yaml: holdouts.r is \"150\", must be a percentage from 0 to 100");
    assertThatThrownBy(() -> PolicyFile.parse("arbitrationWindow: 2m\n", "policy.yaml"))
        .hasMessage("policy.yaml: arbitration window is PT2M, must be 0 to 60 seconds");
  }

  @Test
  void notYaml_rejectedWithTheLine() {
    assertThatThrownBy(() -> PolicyFile.parse("caps:\n  - name: x\n   max: [\n", "policy.yaml"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("policy.yaml:3: not valid YAML: ");
  }

  @Test
  void config_policyFileNamedButMissing_stopsStartUpNamingTheVariable() {
    Map<String, String> env = new java.util.HashMap<>(io.nudge.server.TestSupport.env(Path.of("target/x")));
    env.put("NUDGE_POLICY_FILE", "/nonexistent/policy.yaml");

    assertThatThrownBy(() -> NudgeConfig.from(env)).isInstanceOf(ConfigException.class)
        .hasMessage("NUDGE_POLICY_FILE is \"/nonexistent/policy.yaml\", which is not a readable file");
  }
}
