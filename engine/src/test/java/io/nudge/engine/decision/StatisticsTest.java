package io.nudge.engine.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.store.MemoryTimeline;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class StatisticsTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private final MemoryDecisionLog decisions = new MemoryDecisionLog(100);
  private final MemoryTimeline timeline = new MemoryTimeline();

  private Decision decide(String id, String rule, Decision.Outcome outcome, String reason) {
    Engagement e = new Engagement(id, EngagementType.PROACTIVE_CHAT, rule, T0, "c-" + id, "a-" + id, null,
        Map.of("queue", "sales", "message", "hi"), Map.of());
    Decision d = new Decision(e, outcome, reason, T0);
    decisions.append(d);
    return d;
  }

  private void outcome(String id, String outcome, int secondsLater) {
    decisions.appendOutcome(id, new OutcomeRecord(outcome, T0.plusSeconds(secondsLater)));
  }

  private void contact(String customer, long sequence, String channel, Duration after, boolean resolved,
      Integer csat, Integer nps) {
    Map<String, Object> details = new HashMap<>();
    details.put("resolved", resolved);
    if (csat != null) {
      details.put("csat", csat);
    }
    if (nps != null) {
      details.put("nps", nps);
    }
    timeline.append(customer, new TimelineStore.Entry(sequence, T0.plus(after).toEpochMilli(), "interaction",
        channel, details));
  }

  @Test
  @SuppressWarnings("unchecked")
  void figures_perRule_perType_suppressions_andPerChannel() {
    decide("e1", "checkout-hesitation", Decision.Outcome.SENT, "sent");
    outcome("e1", "shown", 5);
    outcome("e1", "accepted", 20);
    outcome("e1", "converted", 600);
    decide("e2", "checkout-hesitation", Decision.Outcome.SENT, "sent");
    outcome("e2", "shown", 5);
    outcome("e2", "declined", 9);
    decide("e3", "checkout-hesitation", Decision.Outcome.SUPPRESSED, "consent:proactive_chat");
    contact("c1", 1, "call", Duration.ZERO, true, 4, 9);
    contact("c1", 2, "chat", Duration.ofDays(2), false, null, null);
    contact("c2", 3, "call", Duration.ZERO, true, 2, null);

    Map<String, Object> stats = Statistics.compute(decisions, timeline);

    Map<String, Object> rule = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        stats.get("engagements")).get("byRule")).get("checkout-hesitation");
    assertThat(rule).containsEntry("offered", 2).containsEntry("shown", 2).containsEntry("accepted", 1)
        .containsEntry("declined", 1).containsEntry("converted", 1).containsEntry("ignored", 0)
        .containsEntry("acceptanceRate", 0.5).containsEntry("conversionRate", 0.5)
        .containsEntry("medianSecondsToAccept", 20L);
    assertThat((Map<String, Object>) ((Map<String, Object>) stats.get("engagements")).get("byType"))
        .containsOnlyKeys("proactive_chat");
    assertThat((Map<String, Object>) stats.get("suppressed")).containsExactly(Map.entry("consent:proactive_chat", 1));
    Map<String, Object> call = (Map<String, Object>) ((Map<String, Object>) stats.get("interactions")).get("call");
    assertThat(call).containsEntry("count", 2).containsEntry("csatAverage", 3.0).containsEntry("npsAverage", 9.0)
        .containsEntry("resolved", 2).containsEntry("firstContactResolutionRate", 0.5);
    Map<String, Object> chat = (Map<String, Object>) ((Map<String, Object>) stats.get("interactions")).get("chat");
    assertThat(chat).containsEntry("count", 1).containsEntry("resolved", 0)
        .containsEntry("firstContactResolutionRate", null);
  }
}
