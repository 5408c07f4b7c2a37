package io.nudge.engine;

/**
 * Told of every decision, on the deciding shard's thread, in the order the shard decided, just before
 * the decision is recorded (so what the listener makes durable, an outbox entry say, is never missing
 * for a recorded decision). It must return quickly and never block on the network: hand that work to
 * another thread.
 */
@FunctionalInterface
public interface DecisionListener {
  void onDecision(Decision decision);
}
