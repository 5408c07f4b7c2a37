package io.nudge.engine.journey;

import io.nudge.engine.facts.CustomerEvent;
import io.nudge.engine.facts.EngagementOutcome;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.Offer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The facts a rule matched, each in one short line, so a decision can say why it was made: "Journey
 * on /checkout/payment, cart 120.0 EUR, 3 page views" or "event track Form Error on /signup at ...".
 * Only the fields rules commonly test: never traits, never personal data.
 */
final class MatchSummary {
  private static final int MAX_FACTS = 8;

  private MatchSummary() {}

  static List<String> of(List<?> objects) {
    List<String> out = new ArrayList<>();
    for (Object o : objects) {
      if (out.size() == MAX_FACTS) {
        break;
      }
      String line = describe(o);
      if (line != null) {
        out.add(line);
      }
    }
    return out;
  }

  private static String describe(Object o) {
    if (o instanceof Journey j) {
      return "Journey on " + orNone(j.getCurrentPath()) + ", cart " + j.getCartValue()
          + (j.getCartCurrency().isEmpty() ? "" : " " + j.getCartCurrency()) + " (" + j.getCartQuantity()
          + " items), " + j.getPageViewsThisSession() + " page views, checkout step " + j.getCheckoutStep()
          + ", " + j.getFormErrorsThisSession() + " form errors";
    }
    if (o instanceof CustomerEvent e) {
      return "event " + e.getType() + (e.getName() == null || e.getName().isEmpty() ? "" : " " + e.getName())
          + " on " + orNone(e.getPath()) + " at " + Instant.ofEpochMilli(e.getTimestamp());
    }
    if (o instanceof Interaction i) {
      return "interaction " + i.getChannel() + " " + i.getDirection() + " at " + Instant.ofEpochMilli(i.getStartedAt())
          + (i.getQueue().isEmpty() ? "" : " queue " + i.getQueue())
          + (i.getReason().isEmpty() ? "" : " reason " + i.getReason())
          + (i.isResolved() ? ", resolved" : ", unresolved") + (i.getCsat() > 0 ? ", csat " + i.getCsat() : "");
    }
    if (o instanceof Offer f) {
      return "offer " + f.getType() + " by rule " + f.getRule() + " at " + Instant.ofEpochMilli(f.getAt());
    }
    if (o instanceof EngagementOutcome x) {
      return "outcome " + x.getOutcome() + " of " + x.getType() + " by rule " + x.getRule() + " at "
          + Instant.ofEpochMilli(x.getAt());
    }
    if (o instanceof Number n) {
      return "value " + n; // an accumulate's result, such as a count
    }
    return o == null ? null : o.getClass().getSimpleName();
  }

  private static String orNone(String path) {
    return path == null || path.isEmpty() ? "(no page)" : path;
  }
}
