package io.nudge.engine.policy;

import io.nudge.engine.Decision;
import io.nudge.engine.Decision.Outcome;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.journey.Asked;
import io.nudge.engine.journey.CustomerView;
import io.nudge.engine.journey.Gate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gate every engagement passes: consent first, then the contact policy, then arbitration and
 * holdout. Each suppression carries its exact reason: {@code consent:<purpose>}, {@code active-chat},
 * {@code pending-callback}, {@code quiet-hours}, {@code closed}, {@code no-capacity}, {@code
 * cooldown}, {@code cap:<name>}, {@code arbitration} or {@code holdout}. A chat or callback that the
 * queue's hours or capacity stop, and whose rule gave a tip with {@code orTip}, is sent as that tip
 * instead, with reason {@code downgraded:closed} or {@code downgraded:no-capacity}.
 *
 * <p>It reads consent, history and capacity at decision time, so any change applies to the very next
 * decision, including engagements that waited on a timer.
 */
public final class PolicyGate implements Gate {
  private static final Set<String> CALL_CHANNELS = Set.of("phone", "call", "voice", "callback");

  private final ConsentGate consent;
  private final ContactPolicy policy;
  private final QueueCapacity capacity;
  private final ContactHistory history;
  private final Duration lookBack;

  public PolicyGate(ConsentGate consent, ContactPolicy policy, QueueCapacity capacity, ContactHistory history) {
    this.consent = consent;
    this.policy = policy;
    this.capacity = capacity;
    this.history = history;
    Duration longest = policy.activeChat().compareTo(policy.pendingCallback()) > 0
        ? policy.activeChat() : policy.pendingCallback();
    for (Cap c : policy.caps()) {
      longest = c.per().compareTo(longest) > 0 ? c.per() : longest;
    }
    for (Cooldown c : policy.cooldowns()) {
      // the outcome comes after the send, so look back far enough for both
      Duration d = c.duration().plus(Duration.ofDays(1));
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    this.lookBack = longest;
  }

  @Override
  public List<Decision> decide(List<Asked> asked, CustomerView customer, Instant now) {
    String customerId = asked.get(0).engagement().customerId();
    List<ContactHistory.Contact> sent = lookBack.isZero() ? List.of()
        : history.sentSince(customerId, now.minus(lookBack));
    List<Decision> checked = new ArrayList<>(asked.size());
    for (Asked a : asked) {
      checked.add(check(a, customer, sent, now));
    }
    return arbitrate(asked, checked, now);
  }

  /** Consent and the contact policy for one engagement: sent, downgraded or suppressed with a reason. */
  private Decision check(Asked a, CustomerView customer, List<ContactHistory.Contact> sent, Instant now) {
    Engagement e = a.engagement();
    Optional<String> stop = consentReason(e).or(() -> busyReason(sent, customer, now))
        .or(() -> quietReason(e, customer, now));
    if (stop.isEmpty()) {
      Optional<String> queue = queueReason(e, now);
      if (queue.isPresent()) {
        if (a.orTip().isEmpty()) {
          return suppressed(e, queue.get(), now);
        }
        Engagement tip = downgrade(e, a.orTip());
        Optional<String> tipStop = consentReason(tip).or(() -> historyReason(tip, sent, now));
        return tipStop.isPresent() ? suppressed(e, queue.get(), now)
            : new Decision(tip, Outcome.SENT, "downgraded:" + queue.get(), now);
      }
      stop = historyReason(e, sent, now);
    }
    return stop.isPresent() ? suppressed(e, stop.get(), now) : new Decision(e, Outcome.SENT, "sent", now);
  }

  private Optional<String> consentReason(Engagement e) {
    return consent.granted(e.customerId(), e.type().purpose()) ? Optional.empty()
        : Optional.of("consent:" + e.type().purpose().id());
  }

  /** Never while the customer talks to an agent or waits for a call. */
  private Optional<String> busyReason(List<ContactHistory.Contact> sent, CustomerView customer, Instant now) {
    for (Interaction i : customer.interactions()) {
      if (i.getChannel().equals("chat") && i.getEndedAt() == 0
          && now.toEpochMilli() - i.getStartedAt() < policy.activeChat().toMillis()) {
        return Optional.of("active-chat");
      }
    }
    for (ContactHistory.Contact c : sent) {
      Instant accepted = acceptedAt(c);
      if (accepted == null) {
        continue;
      }
      EngagementType t = c.engagement().type();
      if (t == EngagementType.PROACTIVE_CHAT && accepted.plus(policy.activeChat()).isAfter(now)
          && !endedSince(customer, accepted, Set.of("chat"), true)) {
        return Optional.of("active-chat");
      }
      if (t == EngagementType.CALLBACK && accepted.plus(policy.pendingCallback()).isAfter(now)
          && !endedSince(customer, accepted, CALL_CHANNELS, false)) {
        return Optional.of("pending-callback");
      }
    }
    return Optional.empty();
  }

  private static Instant acceptedAt(ContactHistory.Contact c) {
    Instant accepted = null;
    for (OutcomeRecord o : c.outcomes()) {
      if (o.outcome().equals("accepted")) {
        accepted = o.at();
      }
    }
    return accepted;
  }

  /** True when an interaction on one of {@code channels} started (or ended) after {@code since}. */
  private static boolean endedSince(CustomerView customer, Instant since, Set<String> channels, boolean ended) {
    for (Interaction i : customer.interactions()) {
      long at = ended ? i.getEndedAt() : i.getStartedAt();
      if (channels.contains(i.getChannel()) && at >= since.toEpochMilli()) {
        return true;
      }
    }
    return false;
  }

  private Optional<String> quietReason(Engagement e, CustomerView customer, Instant now) {
    QuietHours quiet = policy.quietHours();
    if (quiet == null) {
      return Optional.empty();
    }
    return quiet.isQuiet(e.type(), now, zoneOf(customer)) ? Optional.of("quiet-hours") : Optional.empty();
  }

  private static ZoneId zoneOf(CustomerView customer) {
    String tz = customer.journey() == null ? "" : customer.journey().getTimezone();
    if (tz == null || tz.isEmpty()) {
      return null;
    }
    try {
      return ZoneId.of(tz);
    } catch (DateTimeException e) {
      return null; // a zone the browser made up: fall back to the default
    }
  }

  /** Outside the queue's hours, or (for a chat) no agent free or the wait too long. */
  private Optional<String> queueReason(Engagement e, Instant now) {
    if (e.type() == EngagementType.TIP) {
      return Optional.empty();
    }
    String queue = e.fields().getOrDefault("queue", "");
    QueueRules rules = policy.queue(queue);
    if (!rules.isOpen(now)) {
      return Optional.of("closed");
    }
    if (e.type() != EngagementType.PROACTIVE_CHAT) {
      return Optional.empty();
    }
    Optional<QueueCapacity.Report> report = capacity.current(queue, now);
    if (report.isPresent() && (report.get().availableAgents() == 0
        || rules.maxWait() != null && report.get().expectedWait().compareTo(rules.maxWait()) > 0)) {
      return Optional.of("no-capacity");
    }
    return Optional.empty();
  }

  /** Cool-downs and caps: what was sent before and what became of it. */
  private Optional<String> historyReason(Engagement e, List<ContactHistory.Contact> sent, Instant now) {
    for (Cooldown c : policy.cooldowns()) {
      if (!c.applies(e.type())) {
        continue;
      }
      for (ContactHistory.Contact s : sent) {
        if (!c.applies(s.engagement().type()) || c.type() == null && s.engagement().type() != e.type()) {
          continue;
        }
        for (OutcomeRecord o : s.outcomes()) {
          if (o.outcome().equals(c.after()) && o.at().plus(c.duration()).isAfter(now)) {
            return Optional.of("cooldown");
          }
        }
      }
    }
    for (Cap cap : policy.caps()) {
      if (!cap.counts(e.type())) {
        continue;
      }
      Instant from = now.minus(cap.per());
      long count = sent.stream()
          .filter(s -> cap.counts(s.engagement().type()) && s.sentAt().isAfter(from)).count();
      if (count >= cap.max()) {
        return Optional.of("cap:" + cap.name());
      }
    }
    return Optional.empty();
  }

  /** Of those that passed, the highest priority (the first asked on a tie) goes; then its holdout. */
  private List<Decision> arbitrate(List<Asked> asked, List<Decision> checked, Instant now) {
    int winner = -1;
    for (int i = 0; i < checked.size(); i++) {
      if (checked.get(i).sent() && (winner < 0 || asked.get(i).priority() > asked.get(winner).priority())) {
        winner = i;
      }
    }
    List<Decision> out = new ArrayList<>(checked.size());
    for (int i = 0; i < checked.size(); i++) {
      Decision d = checked.get(i);
      if (d.sent() && i != winner) {
        Engagement lost = d.engagement().withContext("arbitration",
            Map.of("won", checked.get(winner).engagement().rule(), "priority", asked.get(i).priority()));
        d = suppressed(lost, "arbitration", now);
      } else if (i == winner && inHoldout(d.engagement())) {
        d = suppressed(d.engagement(), "holdout", now);
      }
      out.add(d);
    }
    return out;
  }

  /** Deterministic per customer and rule, so a customer stays in (or out of) the control group. */
  boolean inHoldout(Engagement e) {
    int percent = policy.holdout(e.rule());
    return percent > 0 && bucket(e.customerId(), e.rule()) < percent;
  }

  /** 0 to 99, the same for a customer and rule on every run and every machine. */
  static int bucket(String customerId, String rule) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest((customerId + '\u0000' + rule).getBytes(StandardCharsets.UTF_8));
      int v = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
      return Integer.remainderUnsigned(v, 100);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Engagement downgrade(Engagement e, Map<String, String> tip) {
    Map<String, Object> context = new LinkedHashMap<>(e.context());
    context.put("downgradedFrom", Map.of("type", e.type().id(), "queue", e.fields().getOrDefault("queue", "")));
    return new Engagement(e.id(), EngagementType.TIP, e.rule(), e.createdAt(), e.customerId(), e.anonymousId(),
        e.userId(), tip, context);
  }

  private static Decision suppressed(Engagement e, String reason, Instant now) {
    return new Decision(e, Outcome.SUPPRESSED, reason, now);
  }
}
