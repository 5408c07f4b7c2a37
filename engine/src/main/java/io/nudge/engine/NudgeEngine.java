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

  /** Starts the shards with the given rules, keeping everything in memory; decisions go to {@code listener}. */
  static NudgeEngine start(EngineSettings settings, RulePack rules, DecisionListener listener) {
    return io.nudge.engine.shard.ShardedEngine.start(settings, rules, listener);
  }

  /** Starts the shards on a store, restoring what it holds first. */
  static NudgeEngine start(EngineSettings settings, RulePack rules, DecisionListener listener,
      io.nudge.engine.store.EngineStore store) {
    return io.nudge.engine.shard.ShardedEngine.start(settings, rules, listener, store);
  }

  /**
   * Completes once the engine has caught up on what it restored at its start: the raw events its rules
   * look back at put back, the logged events no snapshot held applied, the timers that fell due while
   * it was down run. It takes events before that; they wait behind the catch-up, in order. Completes
   * exceptionally when a shard could not catch up (it then applies nothing more, and saves nothing, so
   * the log keeps every event for the next start) or the engine was closed first.
   */
  CompletableFuture<Void> recovered();

  /** When the future of {@link #submit(List, Ack)} completes. */
  enum Ack {
    /** Once the events are durable in the event log: what an HTTP 200 means. */
    DURABLE,
    /** Once the shards have applied the events and run the rules. */
    APPLIED
  }

  /**
   * Logs the events and hands them to their customers' shards.
   *
   * @return completes as {@code ack} says, or fails when the log could not write them
   * @throws OverloadedException at once, before any event is logged, when a shard's queue is full
   * @throws InvalidInputException when an event breaks a rule the engine checks
   */
  CompletableFuture<Void> submit(List<Event> events, Ack ack);

  /** One event, completing once it is applied. */
  default CompletableFuture<Void> submit(Event event) {
    return submit(List.of(event), Ack.APPLIED);
  }

  /**
   * Records what became of an engagement ({@code shown}, {@code accepted}, {@code declined},
   * {@code ignored}, {@code converted}, {@code expired}); rules see it as an
   * {@link io.nudge.engine.facts.EngagementOutcome}. Repeating the last outcome changes nothing.
   *
   * @return completes once the outcome is durable
   * @throws NotFoundException when no engagement has this id
   * @throws io.nudge.engine.decision.Outcomes.ConflictException when the outcome would go backwards
   * @throws InvalidInputException when {@code outcome} is none of the six
   */
  CompletableFuture<Void> recordOutcome(String engagementId, String outcome, java.time.Instant at);

  /** Records choices for a customer known by any of their ids; they apply to the next decision. */
  void setConsent(String customerRef, Map<Purpose, Boolean> choices, String source);

  /** Every choice the customer made, oldest first (the newest hundred). */
  List<ConsentRecord> consentHistory(String customerRef);

  /** The customer's current choices, one per purpose set. */
  Map<Purpose, ConsentRecord> consent(String customerRef);

  /** The canonical customer id for any id the customer is known by (anonymousId or userId). */
  Optional<String> customerOf(String anyId);

  /**
   * Key figures per rule, engagement type and contact channel, computed from the stores now (see
   * {@link io.nudge.engine.decision.Statistics}); plain values, ready for JSON.
   */
  Map<String, Object> statistics();

  /** Every id of a customer (canonical id), when and why each was linked, merges and conflicts. */
  CustomerIds ids(String customerId);

  /** The anonymousIds (devices, browsers) linked to a customer. */
  java.util.Set<String> anonymousIdsOf(String customerId);

  /** Decisions about the customer, oldest first. */
  List<Decision> decisions(String customerRef);

  /**
   * A copy of the customer's journey as the rules see it now.
   *
   * @return completes on the shard's thread; empty when the customer is unknown
   */
  CompletableFuture<Optional<Journey>> journey(String customerRef);

  /**
   * The customer's events across channels, newest first: web and app events, interactions, outcomes.
   *
   * @param customerId the canonical id ({@link #customerOf})
   * @param beforeSequence only entries older than this log sequence ({@code Long.MAX_VALUE} for the newest)
   */
  List<io.nudge.engine.store.TimelineStore.Entry> timeline(String customerId, long beforeSequence, int limit);

  /**
   * Erases the customer known by any of their ids: every linked id, journey, event, timeline entry,
   * consent choice, decision, outcome and waiting engagement, also of the customers merged into it,
   * from memory and from disk. Only tombstones remain (salted hashes of the ids), so that a late
   * event naming one of them is dropped instead of starting a new customer.
   *
   * @return completes once the data is physically gone from the store's files; empty when no customer
   *     is known by {@code customerRef}
   */
  CompletableFuture<Optional<Erasure>> erase(String customerRef);

  /** What became of the engagement so far, oldest first. */
  List<io.nudge.engine.decision.OutcomeRecord> outcomes(String engagementId);

  /**
   * The customer's events still in the event log (kept for the event retention), oldest first. The log
   * is keyed by sequence, so this reads all of it.
   */
  List<io.nudge.engine.store.LoggedEvent> loggedEvents(String customerRef);

  /** The rules running now. */
  RulePack rules();

  /** Records what the contact centre reports of a queue; the gate reads it for the next decision. */
  void reportCapacity(io.nudge.engine.policy.QueueCapacity.Report report);

  /** The latest capacity report of every queue that sent one. */
  Map<String, io.nudge.engine.policy.QueueCapacity.Report> capacity();

  /** Events waiting in the shard queues. */
  int queuedEvents();

  /** Stops taking events, finishes those queued, stops the shards. */
  @Override
  void close();
}
