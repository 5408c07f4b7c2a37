package io.nudge.engine.journey;

import io.nudge.engine.facts.EngagementOutcome;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.JourneyCodec;
import io.nudge.engine.facts.Offer;
import io.nudge.engine.store.Binary;
import java.io.IOException;
import java.util.List;

/** A customer's state as the journey store keeps it: version 3. */
final class CustomerStateCodec {
  private static final int VERSION = 3;

  private CustomerStateCodec() {}

  static byte[] write(CustomerState state) {
    return Binary.write(w -> {
      w.small(VERSION);
      JourneyCodec.write(state.journey, w);
      w.texts(state.asked());
      w.small(state.offers.size());
      for (Offer o : state.offers) {
        w.text(o.getRule());
        w.text(o.getKey());
        w.text(o.getType());
        w.text(o.getEngagementId());
        w.number(o.getAt());
      }
      w.number(state.applied);
      w.small(state.interactions.size());
      for (Interaction i : state.interactions) {
        w.text(i.getChannel());
        w.text(i.getDirection());
        w.number(i.getStartedAt());
        w.number(i.getEndedAt());
        w.text(i.getQueue());
        w.text(i.getAgentId());
        w.text(i.getCaseId());
        w.text(i.getReason());
        w.flag(i.isResolved());
        w.small(i.getCsat());
        w.small(i.getNps());
      }
      w.small(state.outcomes.size());
      for (EngagementOutcome o : state.outcomes) {
        w.text(o.getEngagementId());
        w.text(o.getRule());
        w.text(o.getType());
        w.text(o.getOutcome());
        w.number(o.getAt());
      }
      w.texts(state.absorbed());
    });
  }

  /** The state, its facts not yet in any session. */
  static CustomerState read(String customerId, byte[] snapshot) {
    return Binary.read(snapshot, r -> {
      int version = r.small();
      if (version != VERSION) {
        throw new IOException("journey snapshot version " + version + " is not known to this Nudge");
      }
      Journey journey = JourneyCodec.read(customerId, r);
      CustomerState state = new CustomerState(journey, null);
      for (String asked : r.texts()) {
        state.markAsked(asked);
      }
      int offers = r.small();
      for (int i = 0; i < offers; i++) {
        state.offers.add(new Offer(customerId, r.text(), r.text(), r.text(), r.text(), r.number()));
      }
      state.applied = r.number();
      int interactions = r.small();
      for (int i = 0; i < interactions; i++) {
        state.interactions.add(new Interaction(customerId, r.text(), r.text(), r.number(), r.number(), r.text(),
            r.text(), r.text(), r.text(), r.flag(), r.small(), r.small()));
      }
      int outcomes = r.small();
      for (int i = 0; i < outcomes; i++) {
        state.outcomes.add(new EngagementOutcome(customerId, r.text(), r.text(), r.text(), r.text(), r.number()));
      }
      for (String absorbed : r.texts()) {
        state.absorb(absorbed);
      }
      return state;
    });
  }
}
