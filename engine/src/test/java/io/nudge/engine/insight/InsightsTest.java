package io.nudge.engine.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.decision.MemoryDecisionLog;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.store.MemoryTimeline;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class InsightsTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(30);

  private final MemoryDecisionLog decisions = new MemoryDecisionLog(100);
  private final MemoryTimeline timeline = new MemoryTimeline();
  private final Insights insights = Insights.create(decisions, timeline,
      new io.nudge.engine.store.MemoryStore(java.time.InstantSource.fixed(T0)).events(), WINDOW);
  private long sequence;

  private void decide(String customer, String rule, Decision.Outcome outcome, String reason, Instant at) {
    Engagement e = new Engagement("eng-" + customer, EngagementType.CALLBACK, rule, at, customer, customer, null,
        Map.of("queue", "retention"), Map.of());
    decisions.append(new Decision(e, outcome, reason, at));
  }

  private void order(String customer, Instant at) {
    timeline.append(customer, new TimelineStore.Entry(++sequence, at.toEpochMilli(), "track", "Order Completed",
        Map.of()));
  }

  @Test
  void pagePaths_dropQueryHostAndTrailingSlash_andCollapseIds() {
    assertThat(PagePaths.normalise("/orders/8812?x=1#top")).isEqualTo("/orders/:id");
    assertThat(PagePaths.normalise("https://shop.example/orders/9930/")).isEqualTo("/orders/:id");
    assertThat(PagePaths.normalise("/u/3f2c1a9e-0b7d-4c1e-9f00-1234567890ab/cart")).isEqualTo("/u/:id/cart");
    assertThat(PagePaths.normalise("/t/ab12cd34ef")).isEqualTo("/t/:id");
    assertThat(PagePaths.normalise("/products/lamp-7")).isEqualTo("/products/lamp-7");
    assertThat(PagePaths.normalise("")).isEqualTo("/");
  }

  @Test
  @SuppressWarnings("unchecked")
  void performance_holdoutUplift_comparesOrdersAfterOfferedAndHeldOutDecisions() {
    decide("o1", "r", Decision.Outcome.SENT, "sent", T0);
    decide("o2", "r", Decision.Outcome.SENT, "sent", T0);
    decide("h1", "r", Decision.Outcome.SUPPRESSED, "holdout", T0);
    decide("h2", "r", Decision.Outcome.SUPPRESSED, "holdout", T0);
    order("o1", T0.plusSeconds(60));
    order("h1", T0.plus(Duration.ofMinutes(31))); // outside the conversion window
    decisions.appendOutcome("eng-o1", new OutcomeRecord("accepted", T0.plusSeconds(5)));

    Map<String, Object> p = insights.performance(T0.minusSeconds(3600), T0.plusSeconds(3600), Duration.ofHours(1));

    Map<String, Object> uplift = (Map<String, Object>) ((Map<String, Object>) p.get("holdout")).get("r");
    assertThat(uplift).containsEntry("offered", 2L).containsEntry("offeredConverted", 1L)
        .containsEntry("offeredConversionRate", 0.5).containsEntry("heldOut", 2L)
        .containsEntry("heldOutConverted", 0L).containsEntry("heldOutConversionRate", 0.0)
        .containsEntry("uplift", 0.5);
    Map<String, Object> rule = (Map<String, Object>) ((Map<String, Object>) p.get("byRule")).get("r");
    assertThat(rule.get("offered")).isEqualTo(List.of(0L, 2L));
    assertThat(rule.get("converted")).isEqualTo(List.of(0L, 1L)); // accepted, then ordered within the window
    assertThat(((Map<String, Object>) p.get("suppressed")).get("holdout"))
        .isEqualTo(Map.of("total", 2L, "series", List.of(0L, 2L)));
  }

  @Test
  void performance_bucketShorterThanAMinute_isRefused() {
    assertThatThrownBy(() -> insights.performance(T0, T0.plusSeconds(60), Duration.ofSeconds(30)))
        .hasMessage("bucket is 30s, must be at least 1m");
  }

  @Test
  void paths_topOutOfBounds_isRefused() {
    assertThatThrownBy(() -> insights.paths(T0, T0.plusSeconds(60), 5, 101))
        .hasMessage("top is 101, must be 1 to 100");
  }
}
