package io.nudge.engine.store;

import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.decision.DecisionLog;

/** Everything the engine keeps, in one place that opens and closes together. */
public interface EngineStore extends AutoCloseable {

  EventLog events();

  JourneyStore journeys();

  ConsentStore consent();

  IdentityStore identities();

  DecisionLog decisions();

  Outbox outbox();

  TimelineStore timeline();

  /** True when the store keeps nothing across restarts. */
  boolean isEphemeral();

  /**
   * Makes what was deleted physically gone: no file of the store (data files, write-ahead log,
   * manifest) holds it any more. Slow: it rewrites everything kept. Nothing to do in memory.
   */
  default void compact() {}

  @Override
  void close();
}
