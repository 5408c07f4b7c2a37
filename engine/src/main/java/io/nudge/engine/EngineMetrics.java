package io.nudge.engine;

/**
 * What the engine reports as it works, for an adapter to count (the server feeds Micrometer). Every
 * method has an empty default, so an observer implements only what it records; {@link #NONE} records
 * nothing. Methods are called on the engine's own threads, most of them on a shard's thread once per
 * event or per rule firing: an implementation must be cheap, must not block and must not throw.
 *
 * <p>The queue depth of each shard is not pushed here: it is read when wanted, from
 * {@code ShardedEngine.queued(int)}.
 */
public interface EngineMetrics {

  /** Records nothing. */
  EngineMetrics NONE = new EngineMetrics() {};

  /** {@code count} events were accepted by {@link NudgeEngine#submit} (before they are processed). */
  default void eventsAccepted(int count) {}

  /** A shard applied one event to its rule session, rules included, in {@code nanos}. */
  default void eventProcessed(int shard, long nanos) {}

  /** A rule's consequence ran once. */
  default void ruleFired(String rule) {}

  /** The gate (or delivery, for {@code expired}) decided about an engagement. */
  default void decided(Decision decision) {}

  /** {@code count} events were appended to the event log and made durable in {@code nanos}. */
  default void eventsWritten(int count, long nanos) {}

  /** A shard saved {@code count} changed journeys with its checkpoint in {@code nanos}. */
  default void journeysSaved(int shard, int count, long nanos) {}
}
