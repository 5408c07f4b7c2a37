package io.nudge.engine.store;

import io.nudge.engine.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The ordered log of accepted events, the engine's source of truth: an event is acknowledged once it
 * is here, and everything else (journeys, decisions) can be rebuilt from it. Thread-safe.
 */
public interface EventLog extends AutoCloseable {

  /** An event routed to its customer, not yet in the log. */
  record Entry(String customerId, Event event) {}

  /**
   * Appends the entries in order. Once they are durable, {@code onDurable} is called with them as
   * logged, in log order across all appends (so a caller can hand them on in that order), and then
   * the returned future completes. An empty append is a barrier: it completes once every append made
   * before it has been handed on.
   */
  CompletableFuture<List<LoggedEvent>> append(List<Entry> entries, Consumer<List<LoggedEvent>> onDurable);

  /** Calls {@code consumer} for each logged event with a sequence of at least {@code from}, in order. */
  void replay(long from, Consumer<LoggedEvent> consumer);

  /**
   * Calls {@code consumer} for each logged event with a sequence from {@code from} to {@code to}, in
   * order: what a restart reads while new events are appended after {@code to}.
   */
  default void replay(long from, long to, Consumer<LoggedEvent> consumer) {
    replay(from, le -> {
      if (le.sequence() <= to) {
        consumer.accept(le);
      }
    });
  }

  /** When the first logged event with a sequence of at least {@code from} was received; empty if none is. */
  default java.util.OptionalLong firstReceivedAt(long from) {
    long[] first = {Long.MIN_VALUE};
    replay(from, le -> {
      if (first[0] == Long.MIN_VALUE) {
        first[0] = le.receivedAt();
      }
    });
    return first[0] == Long.MIN_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(first[0]);
  }

  /** The first sequence received at or after {@code epochMillis}, or {@link #lastSequence()} + 1. */
  long firstSequenceAtOrAfter(long epochMillis);

  /** The newest sequence, 0 when the log is empty. */
  long lastSequence();

  /** Removes events received before {@code epochMillis} whose sequence is below {@code keepFrom}. */
  void trim(long epochMillis, long keepFrom);

  /**
   * Null when {@link #erase} removes events at once; otherwise what happens to an erased customer's
   * events instead, and when (a log on Kafka can only let its retention delete them).
   */
  default String erasureDeferred(java.time.Instant now) {
    return null;
  }

  /**
   * Removes every logged event {@code which} accepts and returns how many. The log is keyed by
   * sequence, so this reads all of it: it costs time in proportion to the log (an erasure).
   */
  int erase(java.util.function.Predicate<LoggedEvent> which);

  @Override
  void close();
}
