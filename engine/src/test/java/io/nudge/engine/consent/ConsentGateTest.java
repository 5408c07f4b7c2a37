package io.nudge.engine.consent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Purpose;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ConsentGateTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private final MemoryConsentStore store = new MemoryConsentStore();
  private final ConsentGate gate = new ConsentGate(store, ConsentDefault.OPT_IN);

  @ParameterizedTest(name = "{0} needs {1}")
  @CsvSource({
      "PROACTIVE_CHAT, PROACTIVE_CHAT",
      "CALLBACK,       CALLBACK",
      "TIP,            PERSONALIZATION",
  })
  void decide_typeWithItsPurposeGranted_isSent(EngagementType type, Purpose purpose) {
    record("ann", purpose, true, T0);

    Decision decision = gate.decide(engagement("ann", type), T0.plusSeconds(1));

    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.SENT);
    assertThat(decision.reason()).isEqualTo("sent");
    assertThat(decision.decidedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(decision.sent()).isTrue();
  }

  @ParameterizedTest(name = "{0} needs {1}")
  @CsvSource({
      "PROACTIVE_CHAT, PROACTIVE_CHAT, consent:proactive_chat",
      "CALLBACK,       CALLBACK,       consent:callback",
      "TIP,            PERSONALIZATION, consent:personalization",
  })
  void decide_everyOtherPurposeGrantedButNotItsOwn_isSuppressedNamingThePurpose(
      EngagementType type, Purpose purpose, String reason) {
    for (Purpose p : Purpose.values()) {
      record("ann", p, p != purpose, T0);
    }

    Decision decision = gate.decide(engagement("ann", type), T0);

    assertThat(decision.outcome()).isEqualTo(Decision.Outcome.SUPPRESSED);
    assertThat(decision.reason()).isEqualTo(reason);
    assertThat(decision.sent()).isFalse();
  }

  @Test
  void decide_tipWithOnlyProactiveChatGranted_isSuppressedForPersonalization() {
    record("ann", Purpose.PROACTIVE_CHAT, true, T0);

    Decision decision = gate.decide(engagement("ann", EngagementType.TIP), T0);

    assertThat(decision.reason()).isEqualTo("consent:personalization");
  }

  @Test
  void decide_keepsTheEngagementAsTheRuleBuiltIt() {
    Engagement engagement = engagement("ann", EngagementType.CALLBACK);

    assertThat(gate.decide(engagement, T0).engagement()).isSameAs(engagement);
  }

  @Test
  void granted_latestRecordWins() {
    record("ann", Purpose.PROACTIVE_CHAT, true, T0);
    record("ann", Purpose.PROACTIVE_CHAT, false, T0.plusSeconds(5));

    assertThat(gate.granted("ann", Purpose.PROACTIVE_CHAT)).isFalse();

    record("ann", Purpose.PROACTIVE_CHAT, true, T0.plusSeconds(9));

    assertThat(gate.granted("ann", Purpose.PROACTIVE_CHAT)).isTrue();
    assertThat(store.current("ann")).isEqualTo(Map.of(Purpose.PROACTIVE_CHAT,
        new ConsentRecord(Purpose.PROACTIVE_CHAT, true, "api", T0.plusSeconds(9))));
  }

  @Test
  void granted_recordForOnePurpose_leavesTheOthersAsTheyWere() {
    record("ann", Purpose.CALLBACK, true, T0);
    record("ann", Purpose.PROACTIVE_CHAT, false, T0);

    assertThat(gate.granted("ann", Purpose.CALLBACK)).isTrue();
    assertThat(gate.granted("ann", Purpose.PROACTIVE_CHAT)).isFalse();
    assertThat(store.current("ann")).containsOnlyKeys(Purpose.CALLBACK, Purpose.PROACTIVE_CHAT);
  }

  @Test
  void granted_optInAndUnset_isDenied() {
    assertThat(new ConsentGate(store, ConsentDefault.OPT_IN).granted("ann", Purpose.PROACTIVE_CHAT)).isFalse();
  }

  @Test
  void granted_optOutAndUnset_isGranted() {
    assertThat(new ConsentGate(store, ConsentDefault.OPT_OUT).granted("ann", Purpose.PROACTIVE_CHAT)).isTrue();
  }

  @Test
  void granted_optOutAndDenied_isDenied() {
    record("ann", Purpose.PROACTIVE_CHAT, false, T0);

    assertThat(new ConsentGate(store, ConsentDefault.OPT_OUT).granted("ann", Purpose.PROACTIVE_CHAT)).isFalse();
  }

  @Test
  void granted_anotherCustomersChoice_doesNotApply() {
    record("bob", Purpose.PROACTIVE_CHAT, true, T0);

    assertThat(gate.granted("ann", Purpose.PROACTIVE_CHAT)).isFalse();
    assertThat(gate.decide(engagement("ann", EngagementType.PROACTIVE_CHAT), T0).reason())
        .isEqualTo("consent:proactive_chat");
  }

  private void record(String customerId, Purpose purpose, boolean granted, Instant at) {
    store.record(customerId, new ConsentRecord(purpose, granted, "api", at));
  }

  private static Engagement engagement(String customerId, EngagementType type) {
    return new Engagement("eng_0000000000000000000000000001", type, "some-rule", T0, customerId, "anon-1", null,
        Map.of("queue", "support", "message", "hi"), Map.of());
  }
}
