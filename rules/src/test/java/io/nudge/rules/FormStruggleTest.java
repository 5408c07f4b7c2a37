package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class FormStruggleTest {

  private static Scenario formError(Scenario s, String customer, String form) {
    return s.track(customer, "Form Error", Map.of("form", form, "field", "birthdate"));
  }

  @Test
  void threeErrorsOnOneFormWithinTwoMinutes_showsOneTipAboutThatForm() {
    Scenario s = new Scenario().page("eve", "/help/contact");
    formError(s, "eve", "contact").elapse(20);
    formError(s, "eve", "contact").elapse(20);
    assertThat(s.fired()).isEmpty();

    formError(s, "eve", "contact");

    assertThat(s.fired()).containsExactly("form-struggle");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.TIP);
      assertThat(e.fields()).containsEntry("title", "Having trouble with this form?");
      assertThat(e.context()).containsEntry("formErrors", 3).containsEntry("currentPage", "/help/contact");
    });
  }

  @Test
  void moreErrorsOnTheSameForm_noSecondTipThisVisit() {
    Scenario s = new Scenario();
    for (int i = 0; i < 8; i++) {
      formError(s, "eve", "contact").elapse(5);
    }

    assertThat(s.fired()).containsExactly("form-struggle");
    assertThat(s.engagements()).hasSize(1);
  }

  @Test
  void errorsSpreadOverMoreThanTwoMinutes_doNotCount() {
    Scenario s = new Scenario();
    formError(s, "eve", "contact").elapse(70);
    formError(s, "eve", "contact").elapse(70);
    formError(s, "eve", "contact").elapse(70);

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void errorsOnDifferentForms_doNotAddUp_butEachFormGetsItsOwnTip() {
    Scenario s = new Scenario();
    formError(s, "eve", "contact");
    formError(s, "eve", "contact");
    formError(s, "eve", "signup");
    formError(s, "eve", "signup");
    assertThat(s.fired()).isEmpty();

    formError(s, "eve", "signup");
    formError(s, "eve", "contact");

    assertThat(s.fired()).containsExactly("form-struggle", "form-struggle");
    assertThat(s.engagements()).hasSize(2);
  }

  @Test
  void errorsOfTwoCustomers_doNotAddUp() {
    Scenario s = new Scenario();
    formError(s, "eve", "contact");
    formError(s, "eve", "contact");
    formError(s, "fay", "contact");

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void formErrorWithoutFormProperty_isIgnored() {
    Scenario s = new Scenario();
    for (int i = 0; i < 3; i++) {
      s.track("eve", "Form Error", Map.of("field", "email"));
    }

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void nextVisit_mayShowTheTipAgain() {
    Scenario s = new Scenario();
    for (int i = 0; i < 3; i++) {
      formError(s, "eve", "contact");
    }
    s.elapse(31 * 60);
    for (int i = 0; i < 3; i++) {
      formError(s, "eve", "contact");
    }

    assertThat(s.engagements()).hasSize(2);
  }
}
