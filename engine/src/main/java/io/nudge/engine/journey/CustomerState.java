package io.nudge.engine.journey;

import io.nudge.engine.facts.EngagementOutcome;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.Offer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.kie.api.runtime.rule.FactHandle;

/** What a session keeps per customer beside the facts: handles and this visit's asks. */
final class CustomerState {
  final Journey journey;
  /** Set once the journey is in the session; null for a state only decoded. */
  FactHandle journeyHandle;
  final List<Offer> offers = new ArrayList<>();
  final List<FactHandle> offerHandles = new ArrayList<>();
  final Set<String> askedThisVisit = new HashSet<>();
  final List<Interaction> interactions = new ArrayList<>();
  final List<FactHandle> interactionHandles = new ArrayList<>();
  final List<EngagementOutcome> outcomes = new ArrayList<>();
  final List<FactHandle> outcomeHandles = new ArrayList<>();
  /** The log sequence of the newest event applied, whatever its type. */
  long applied;
  /** The consent fact in the session, and its handle; null until the session has a consent source. */
  io.nudge.engine.facts.Consent consent;
  FactHandle consentHandle;
  /** The consent change count when {@link #consent} was read; see {@link JourneySession#consentFrom}. */
  long consentReadAt = -1;
  /** Customers merged into this one (their snapshots may still exist until deleted). */
  final Set<String> absorbed = new HashSet<>();

  CustomerState(Journey journey, FactHandle journeyHandle) {
    this.journey = journey;
    this.journeyHandle = journeyHandle;
  }
}
