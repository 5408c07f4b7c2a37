package io.nudge.engine;

import io.nudge.engine.facts.Journey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The engine: customers' journeys in sharded rule sessions, a consent gate, and the decisions that
 * come out. Thread-safe; every method may be called from any thread and none blocks on a shard.
 *
 * <p>Start one with {@link #start}.
 */
public interface NudgeEngine extends AutoCloseable {

  /** Starts the shards with the given rules; decisions go to {@code listener}. */
  static NudgeEngine start(EngineSettings settings, RulePack rules, DecisionListener listener) {
    return io.nudge.engine.shard.ShardedEngine.start(settings, rules, listener);
  }

  /**
   * Queues an event for its customer's shard.
   *
   * @return completes once the shard has applied the event and run the rules
   * @throws OverloadedException at once when the shard's queue is full
   */
  CompletableFuture<Void> submit(Event event);

  /** Records choices for a customer known by any of their ids; they apply to the next decision. */
  void setConsent(String customerRef, Map<Purpose, Boolean> choices, String source);

  /** The customer's current choices, one per purpose set. */
  Map<Purpose, ConsentRecord> consent(String customerRef);

  /** The canonical customer id for any id the customer is known by (anonymousId or userId). */
  Optional<String> customerOf(String anyId);

  /** Decisions about the customer, oldest first. */
  List<Decision> decisions(String customerRef);

  /**
   * A copy of the customer's journey as the rules see it now.
   *
   * @return completes on the shard's thread; empty when the customer is unknown
   */
  CompletableFuture<Optional<Journey>> journey(String customerRef);

  /** The rules running now. */
  RulePack rules();

  /** Events waiting in the shard queues. */
  int queuedEvents();

  /** Stops taking events, finishes those queued, stops the shards. */
  @Override
  void close();
}
