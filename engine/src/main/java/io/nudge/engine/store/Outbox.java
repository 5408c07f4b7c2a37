package io.nudge.engine.store;

import io.nudge.engine.Engagement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Engagements on their way to the chat system's webhook: added before the decision is recorded, so a
 * crash in between can only cause a second delivery (with the same id), never a lost one. Thread-safe.
 */
public interface Outbox {

  /** An engagement whose delivery was given up, with why and when. */
  record DeadLetter(Engagement engagement, String reason, Instant at) {}

  void add(Engagement engagement);

  /** Waiting for delivery, oldest first. */
  List<Engagement> pending();

  /** Delivered: no longer waiting. */
  void delivered(String engagementId);

  /**
   * Given up: moved from waiting to the dead letters. Nothing happens when it is no longer waiting (its
   * customer was erased meanwhile, say).
   */
  void deadLetter(Engagement engagement, String reason, Instant at);

  /** Dead letters, oldest first. */
  List<DeadLetter> deadLetters();

  /** Moves a dead letter back to waiting; empty when there is none with that id. */
  Optional<Engagement> revive(String engagementId);

  /** Removes the waiting engagements and dead letters of these customers; returns how many. */
  int erase(java.util.Collection<String> customerIds);
}
