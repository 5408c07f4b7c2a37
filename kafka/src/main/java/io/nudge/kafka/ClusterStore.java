package io.nudge.kafka;

import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.IdentityStore;
import io.nudge.engine.store.JourneyStore;
import io.nudge.engine.store.Outbox;
import io.nudge.engine.store.TimelineStore;

/**
 * An engine node's store: events, journeys, consent and identity on Kafka, shared by the cluster;
 * decisions and timelines in the node's own store, refilled from the decisions topic for the partitions
 * it is assigned.
 */
final class ClusterStore implements EngineStore {
  private final KafkaEventLog events;
  private final KafkaJourneyStore journeys;
  private final KafkaConsentStore consent;
  private final KafkaIdentityStore identities;
  private final EngineStore local;

  ClusterStore(KafkaEventLog events, KafkaJourneyStore journeys, KafkaConsentStore consent,
      KafkaIdentityStore identities, EngineStore local) {
    this.events = events;
    this.journeys = journeys;
    this.consent = consent;
    this.identities = identities;
    this.local = local;
  }

  @Override
  public EventLog events() {
    return events;
  }

  @Override
  public JourneyStore journeys() {
    return journeys;
  }

  @Override
  public ConsentStore consent() {
    return consent;
  }

  @Override
  public IdentityStore identities() {
    return identities;
  }

  @Override
  public DecisionLog decisions() {
    return local.decisions();
  }

  @Override
  public Outbox outbox() {
    return local.outbox();
  }

  @Override
  public TimelineStore timeline() {
    return local.timeline();
  }

  @Override
  public boolean isEphemeral() {
    return false;
  }

  @Override
  public void compact() {
    local.compact();
  }

  @Override
  public void close() {
    local.close();
  }
}
