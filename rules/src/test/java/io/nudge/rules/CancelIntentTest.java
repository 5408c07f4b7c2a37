package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.EngagementType;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class CancelIntentTest {

  @Test
  void searchContainingCancel_offersRetentionCallback() {
    Scenario s = new Scenario().track("gus", "Products Searched", Map.of("query", "How do I Cancel my plan"));

    assertThat(s.fired()).containsExactly("cancel-intent");
    assertThat(s.engagements()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(EngagementType.CALLBACK);
      assertThat(e.fields()).containsEntry("queue", "retention");
      assertThat(e.context()).containsEntry("searches", java.util.List.of("How do I Cancel my plan"));
    });
  }

  @Test
  void pageWhosePathContainsCancel_offersRetentionCallback() {
    Scenario s = new Scenario().page("gus", "/account/cancel-subscription");

    assertThat(s.engagements()).singleElement()
        .satisfies(e -> assertThat(e.fields()).containsEntry("queue", "retention"));
  }

  @Test
  void searchAndCancelPage_offerOnlyOnceThisVisit() {
    Scenario s = new Scenario()
        .track("gus", "Products Searched", Map.of("query", "cancel"))
        .page("gus", "/account/cancel")
        .page("gus", "/cancel/confirm");

    assertThat(s.fired()).containsExactly("cancel-intent");
  }

  @Test
  void otherSearchesAndPages_doNotFire() {
    Scenario s = new Scenario()
        .track("gus", "Products Searched", Map.of("query", "candles"))
        .page("gus", "/account/settings")
        .track("gus", "Product Viewed", Map.of("product_id", "p1", "path", "/cancel"));

    assertThat(s.fired()).isEmpty();
  }

  @Test
  void searchWithoutQuery_doesNotFire() {
    Scenario s = new Scenario().track("gus", "Products Searched", Map.of());

    assertThat(s.fired()).isEmpty();
  }
}
