package io.nudge.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.InvalidInputException;
import io.nudge.engine.Purpose;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ConsentCategoriesTest {

  @Test
  void defaults_mapCommonCategoryNamesAndPurposeIds() {
    ConsentCategories c = ConsentCategories.defaults();

    assertThat(c.purposesOf("Functional")).containsExactly(Purpose.PERSONALIZATION);
    assertThat(c.purposesOf("personalisation")).containsExactly(Purpose.PERSONALIZATION);
    assertThat(c.purposesOf("ANALYTICS")).containsExactly(Purpose.ANALYTICS);
    assertThat(c.purposesOf("Performance")).containsExactly(Purpose.ANALYTICS);
    assertThat(c.purposesOf("Chat")).containsExactlyInAnyOrder(Purpose.PROACTIVE_CHAT, Purpose.CALLBACK);
    assertThat(c.purposesOf("support")).containsExactlyInAnyOrder(Purpose.PROACTIVE_CHAT, Purpose.CALLBACK);
    assertThat(c.purposesOf("proactive_chat")).containsExactly(Purpose.PROACTIVE_CHAT);
    assertThat(c.purposesOf("callback")).containsExactly(Purpose.CALLBACK);
    assertThat(c.purposesOf("personalization")).containsExactly(Purpose.PERSONALIZATION);
    assertThat(c.purposesOf("Marketing")).isEmpty();
    assertThat(c.purposesOf(null)).isEmpty();
  }

  @Test
  void parse_spec_replacesDefaultNamesButKeepsPurposeIds() {
    ConsentCategories c = ConsentCategories.parse(" C0002 : analytics , Support Cookies:proactive_chat+callback,"
        + "analytics:personalization");

    assertThat(c.purposesOf("c0002")).containsExactly(Purpose.ANALYTICS);
    assertThat(c.purposesOf("support cookies")).containsExactlyInAnyOrder(Purpose.PROACTIVE_CHAT, Purpose.CALLBACK);
    assertThat(c.purposesOf("analytics")).containsExactly(Purpose.PERSONALIZATION);
    assertThat(c.purposesOf("callback")).containsExactly(Purpose.CALLBACK);
    assertThat(c.purposesOf("Functional")).isEmpty();
  }

  @Test
  void parse_blankSpec_mapsPurposeIdsOnly() {
    ConsentCategories c = ConsentCategories.parse("  ");

    assertThat(c.purposesOf("analytics")).containsExactly(Purpose.ANALYTICS);
    assertThat(c.purposesOf("Functional")).isEmpty();
  }

  @Test
  void parse_entryWithoutPurpose_failsNamingEntryAndVariable() {
    assertThatThrownBy(() -> ConsentCategories.parse("Functional:personalization,Support"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NUDGE_CONSENT_CATEGORIES entry \"Support\" is not Category:purpose[+purpose...]");
    assertThatThrownBy(() -> ConsentCategories.parse("Functional:personalization,,Chat:callback"))
        .hasMessage("NUDGE_CONSENT_CATEGORIES entry \"\" is not Category:purpose[+purpose...]");
    assertThatThrownBy(() -> ConsentCategories.parse(" :callback"))
        .hasMessage("NUDGE_CONSENT_CATEGORIES entry \":callback\" is not Category:purpose[+purpose...]");
  }

  @Test
  void parse_unknownPurpose_failsListingThePurposes() {
    assertThatThrownBy(() -> ConsentCategories.parse("Chat:proactive_chat+marketing"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NUDGE_CONSENT_CATEGORIES entry \"Chat:proactive_chat+marketing\" names unknown purpose"
            + " \"marketing\"; purposes are analytics, personalization, proactive_chat, callback");
  }

  @Test
  void parse_categoryTwice_fails() {
    assertThatThrownBy(() -> ConsentCategories.parse("Chat:callback,chat:proactive_chat"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("NUDGE_CONSENT_CATEGORIES names category \"chat\" twice");
  }

  @Test
  void choicesOf_ignoresUnknownCategoriesAndLetsDenialWin() {
    Map<String, Boolean> prefs = new LinkedHashMap<>();
    prefs.put("Analytics", false);
    prefs.put("Performance", true);
    prefs.put("Marketing", true);
    prefs.put("Functional", null);

    assertThat(ConsentCategories.defaults().choicesOf(prefs)).isEqualTo(Map.of(Purpose.ANALYTICS, false));
  }

  @Test
  void toString_isASpecThatParsesToTheSameMapping() {
    ConsentCategories again = ConsentCategories.parse(ConsentCategories.defaults().toString());

    for (String name : Set.of("Functional", "Chat", "Performance", "callback", "Marketing")) {
      assertThat(again.purposesOf(name)).isEqualTo(ConsentCategories.defaults().purposesOf(name));
    }
  }
}
