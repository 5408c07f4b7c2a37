package io.nudge.engine.journey;

import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import java.util.List;

/**
 * What the gate may read of a customer in the session: the journey (for the time zone) and recent
 * contact-centre interactions (an ongoing chat, a call after an accepted callback). Read-only, and
 * only on the session's thread.
 */
public record CustomerView(Journey journey, List<Interaction> interactions) {
  public CustomerView {
    interactions = List.copyOf(interactions);
  }
}
