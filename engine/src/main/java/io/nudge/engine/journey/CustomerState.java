package io.nudge.engine.journey;

import io.nudge.engine.facts.EngagementOutcome;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.Offer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kie.api.runtime.rule.FactHandle;

/**
 * What a session keeps per customer beside the facts: handles and this visit's asks. An idle customer
 * is most of the heap a million journeys take, so what is empty costs nothing: the sets are made at
 * their first entry, and the facts held share one array each ({@link HeldFacts}).
 */
final class CustomerState {
  final Journey journey;
  /** Set once the journey is in the session; null for a state only decoded. */
  FactHandle journeyHandle;
  /** This visit's offers. */
  final HeldFacts<Offer> offers = new HeldFacts<>();
  /** The latest interactions through other channels (calls, chats, emails). */
  final HeldFacts<Interaction> interactions = new HeldFacts<>();
  /** This visit's engagement outcomes. */
  final HeldFacts<EngagementOutcome> outcomes = new HeldFacts<>();
  /** Rule and key of each engagement asked this visit; null when none. */
  private Set<String> askedThisVisit;
  /** The log sequence of the newest event applied, whatever its type. */
  long applied;
  /** The consent fact in the session, and its handle; null until the session has a consent source. */
  io.nudge.engine.facts.Consent consent;
  FactHandle consentHandle;
  /** The consent change count when {@link #consent} was read; see {@link JourneySession#consentFrom}. */
  long consentReadAt = -1;
  /** Customers merged into this one (their snapshots may still exist until deleted); null when none. */
  private Set<String> absorbed;

  CustomerState(Journey journey, FactHandle journeyHandle) {
    this.journey = journey;
    this.journeyHandle = journeyHandle;
  }

  /** Records an ask of this visit; false when it was asked already. */
  boolean markAsked(String ruleAndKey) {
    if (askedThisVisit == null) {
      askedThisVisit = new HashSet<>(4);
    }
    return askedThisVisit.add(ruleAndKey);
  }

  List<String> asked() {
    return askedThisVisit == null ? List.of() : List.copyOf(askedThisVisit);
  }

  void clearAsked() {
    askedThisVisit = null;
  }

  /** Records that {@code customerId} was merged into this one; false when it was already. */
  boolean absorb(String customerId) {
    if (absorbed == null) {
      absorbed = new HashSet<>(4);
    }
    return absorbed.add(customerId);
  }

  boolean hasAbsorbed(String customerId) {
    return absorbed != null && absorbed.contains(customerId);
  }

  List<String> absorbed() {
    return absorbed == null ? List.of() : List.copyOf(absorbed);
  }
}
