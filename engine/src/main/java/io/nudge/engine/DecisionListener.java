package io.nudge.engine;

/**
 * Told of every decision, on the deciding shard's thread, in the order the shard decided. It must
 * return quickly and never block: hand the work to another thread.
 */
@FunctionalInterface
public interface DecisionListener {
  void onDecision(Decision decision);
}
