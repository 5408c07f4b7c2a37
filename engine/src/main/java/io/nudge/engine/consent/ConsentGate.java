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
import java.util.List;

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
    ConsentRecord choice = store.current(customerId).get(purpose);
    return choice == null ? whenUnset == ConsentDefault.OPT_OUT : choice.granted();
  }
}
