package io.nudge.engine.facts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.Purpose;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The consent fact answers per purpose what it was made with, and compares by choices. */
final class ConsentTest {
  private static final Map<Purpose, Boolean> ALLOWED = Map.of(Purpose.ANALYTICS, true, Purpose.CALLBACK, true,
      Purpose.PROACTIVE_CHAT, false);
  private static final Map<Purpose, String> STATES = Map.of(Purpose.ANALYTICS, "granted", Purpose.CALLBACK, "unset",
      Purpose.PROACTIVE_CHAT, "denied");

  @Test
  void answersEachPurpose_asGiven_andAnUnnamedOneIsUnsetAndNotAllowed() {
    Consent c = new Consent("ann", ALLOWED, STATES);

    assertThat(c.isAnalytics()).isTrue();
    assertThat(c.isCallback()).isTrue(); // unset, allowed by the consent default
    assertThat(c.isProactiveChat()).isFalse();
    assertThat(c.isPersonalization()).isFalse();
    assertThat(c.state("analytics")).isEqualTo("granted");
    assertThat(c.state("callback")).isEqualTo("unset");
    assertThat(c.state("proactive_chat")).isEqualTo("denied");
    assertThat(c.state("personalization")).isEqualTo("unset");
    assertThat(c).hasToString("Consent[ann {ANALYTICS=granted, PERSONALIZATION=unset, PROACTIVE_CHAT=denied,"
        + " CALLBACK=unset}]");
  }

  @Test
  void sameChoices_whateverTheMapsHeld_equalOnlyForTheSameCustomer() {
    Consent ann = new Consent("ann", ALLOWED, STATES);
    Consent again = new Consent("ann", Map.of(Purpose.ANALYTICS, true, Purpose.CALLBACK, true),
        Map.of(Purpose.ANALYTICS, "granted", Purpose.PROACTIVE_CHAT, "denied"));
    Consent other = new Consent("ann", Map.of(Purpose.ANALYTICS, true), STATES);

    assertThat(ann.sameChoicesAs(again)).isTrue();
    assertThat(ann).isEqualTo(again).hasSameHashCodeAs(again);
    assertThat(ann.sameChoicesAs(other)).isFalse();
    assertThat(ann).isNotEqualTo(new Consent("bob", ALLOWED, STATES));
  }

  @Test
  void aStateOtherThanUnsetGrantedOrDenied_isRefusedByName() {
    assertThatThrownBy(() -> new Consent("ann", Map.of(), Map.of(Purpose.CALLBACK, "maybe")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consent state \"maybe\" for callback is not one of unset, granted, denied");
  }

  @Test
  void anUnknownPurpose_isRefusedByName() {
    Consent c = new Consent("ann", ALLOWED, STATES);

    assertThatThrownBy(() -> c.state("marketing")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("purpose \"marketing\"");
  }
}
