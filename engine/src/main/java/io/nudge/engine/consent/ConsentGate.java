package io.nudge.engine.consent;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.Purpose;
import io.nudge.engine.journey.Asked;
import io.nudge.engine.journey.CustomerView;
import io.nudge.engine.journey.Gate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Lets an engagement out only when its customer consented to the purpose its type needs ({@code tip}
 * needs {@code personalization}). Otherwise it is suppressed with reason {@code consent:<purpose>}.
 * The store is read at decision time, so a change applies to the very next decision.
 */
public final class ConsentGate implements Gate {
  private final ConsentStore store;
  private final ConsentDefault whenUnset;

  public ConsentGate(ConsentStore store, ConsentDefault whenUnset) {
    this.store = store;
    this.whenUnset = whenUnset;
  }

  /** Each engagement on its own, by consent alone. */
  @Override
  public List<Decision> decide(List<Asked> asked, CustomerView customer, Instant now) {
    List<Decision> out = new ArrayList<>(asked.size());
    for (Asked a : asked) {
      out.add(decide(a.engagement(), now));
    }
    return out;
  }

  public Decision decide(Engagement engagement, Instant now) {
    Purpose needed = engagement.type().purpose();
    if (granted(engagement.customerId(), needed)) {
      return new Decision(engagement, Decision.Outcome.SENT, "sent", now);
    }
    return new Decision(engagement, Decision.Outcome.SUPPRESSED, "consent:" + needed.id(), now);
  }

  /** True when the customer granted the purpose, or left it unset under {@link ConsentDefault#OPT_OUT}. */
  public boolean granted(String customerId, Purpose purpose) {
    return allows(store.current(customerId).get(purpose));
  }

  /**
   * The customer's consent as the fact rules match: per purpose whether it is allowed and its state,
   * from one read of the store (the sessions refresh it on every event).
   */
  public io.nudge.engine.facts.Consent fact(String customerId) {
    Map<Purpose, ConsentRecord> choices = store.current(customerId);
    Map<Purpose, Boolean> allowed = new EnumMap<>(Purpose.class);
    Map<Purpose, String> states = new EnumMap<>(Purpose.class);
    for (Purpose p : Purpose.values()) {
      ConsentRecord c = choices.get(p);
      states.put(p, stateOf(c));
      allowed.put(p, allows(c));
    }
    return new io.nudge.engine.facts.Consent(customerId, allowed, states);
  }

  /** Whether a choice already read (null: none made) lets the purpose through. */
  public boolean allows(ConsentRecord choice) {
    return choice == null ? whenUnset == ConsentDefault.OPT_OUT : choice.granted();
  }

  /** {@code granted}, {@code denied} or {@code unset}: how a choice (null: none) is shown. */
  public static String stateOf(ConsentRecord choice) {
    return choice == null ? "unset" : choice.granted() ? "granted" : "denied";
  }
}
