package io.nudge.engine.policy;

import io.nudge.engine.Checks;
import io.nudge.engine.EngagementType;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The contact policy: what the gate checks after consent, so customers are not pestered. Every
 * engagement a rule asks for passes, in this order: consent, active chat or pending callback, quiet
 * hours, queue hours, agent capacity, cool-downs, caps; then arbitration between the engagements
 * asked for one customer within {@link #arbitrationWindow}; then the rule's holdout.
 *
 * @param caps frequency caps, each with its own name
 * @param cooldowns pauses after a decline or an ignore
 * @param quietHours when callbacks (by default) are not sent in the customer's zone; null: never quiet
 * @param queues hours and wait limit per queue; a queue not named here is always open
 * @param holdouts per rule name, the percentage of customers (0 to 100) kept as a control group
 * @param arbitrationWindow engagements asked for one customer within this time of the first are
 *     decided together and only the highest priority is sent; zero decides each firing on its own
 * @param activeChat an accepted chat counts as active for this long, unless a chat interaction ends it
 * @param pendingCallback an accepted callback is pending for this long, unless a call comes in
 */
public record ContactPolicy(
    List<Cap> caps,
    List<Cooldown> cooldowns,
    QuietHours quietHours,
    Map<String, QueueRules> queues,
    Map<String, Integer> holdouts,
    Duration arbitrationWindow,
    Duration activeChat,
    Duration pendingCallback) {

  public ContactPolicy {
    caps = List.copyOf(caps);
    cooldowns = List.copyOf(cooldowns);
    queues = Map.copyOf(queues);
    holdouts = Map.copyOf(holdouts);
    Set<String> names = new HashSet<>();
    for (Cap c : caps) {
      Checks.checkArgument(names.add(c.name()), "cap name \"%s\" is used twice", c.name());
    }
    for (Map.Entry<String, Integer> h : holdouts.entrySet()) {
      Checks.checkArgument(h.getValue() >= 0 && h.getValue() <= 100,
          "holdout of rule \"%s\" is %d%%, must be 0 to 100", h.getKey(), h.getValue());
    }
    Objects.requireNonNull(arbitrationWindow, "arbitrationWindow");
    Checks.checkArgument(!arbitrationWindow.isNegative() && arbitrationWindow.toSeconds() <= 60,
        "arbitration window is %s, must be 0 to 60 seconds", arbitrationWindow);
    Objects.requireNonNull(activeChat, "activeChat");
    Objects.requireNonNull(pendingCallback, "pendingCallback");
  }

  /**
   * What Nudge does with no policy file: at most 3 engagements a day and 10 a week per customer, 2
   * chats a day; no chat for 24 hours after a declined one and no engagement of a type for 4 hours
   * after one was ignored; no callback between 21:00 and 08:00 in the customer's zone; every queue
   * open; no holdout; engagements within 1 second arbitrated.
   */
  public static ContactPolicy defaults() {
    return new ContactPolicy(
        List.of(new Cap("per-day", null, 3, Duration.ofDays(1)),
            new Cap("per-week", null, 10, Duration.ofDays(7)),
            new Cap("chat-per-day", EngagementType.PROACTIVE_CHAT, 2, Duration.ofDays(1))),
        List.of(new Cooldown("declined", null, Duration.ofHours(24)),
            new Cooldown("ignored", null, Duration.ofHours(4))),
        new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0), Set.of(EngagementType.CALLBACK), ZoneId.of("UTC")),
        Map.of(), Map.of(), Duration.ofSeconds(1), Duration.ofMinutes(30), Duration.ofHours(24));
  }

  /**
   * No caps, pauses, quiet hours, queue hours or holdouts, and no arbitration window: only consent
   * decides, except that the engagements asked in one firing of the rules (by one event) are still
   * arbitrated, the highest priority sent.
   */
  public static ContactPolicy none() {
    return new ContactPolicy(List.of(), List.of(), null, Map.of(), Map.of(), Duration.ZERO, Duration.ZERO,
        Duration.ZERO);
  }

  /** The rules of {@code queue}: those configured, or always open. */
  public QueueRules queue(String queue) {
    return queues.getOrDefault(queue, QueueRules.alwaysOpen());
  }

  /** The holdout percentage of {@code rule}, 0 when none. */
  public int holdout(String rule) {
    return holdouts.getOrDefault(rule, 0);
  }

  public ContactPolicy withArbitrationWindow(Duration d) {
    return new ContactPolicy(caps, cooldowns, quietHours, queues, holdouts, d, activeChat, pendingCallback);
  }
}
