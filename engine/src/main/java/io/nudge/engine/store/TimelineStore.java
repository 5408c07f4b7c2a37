package io.nudge.engine.store;

import java.util.List;
import java.util.Map;

/**
 * Each customer's events across channels, newest first on read: what the agent desktop shows as the
 * customer's timeline. Written by the shards as they apply events. Thread-safe.
 */
public interface TimelineStore {

  /**
   * One entry.
   *
   * @param sequence the event's place in the log
   * @param at when it happened (receipt time for web events, start time for interactions)
   * @param kind {@code page}, {@code screen}, {@code track}, {@code identify}, {@code group},
   *     {@code alias}, {@code interaction} or {@code outcome}
   * @param title a short text: the path, the event name, the channel, the outcome
   * @param details a few plain values worth showing
   */
  record Entry(long sequence, long at, String kind, String title, Map<String, Object> details) {}

  void append(String customerId, Entry entry);

  /** Calls {@code consumer} with every entry, customer by customer, oldest first within a customer. */
  void forEach(java.util.function.BiConsumer<String, Entry> consumer);

  /** Entries of the customer with a sequence below {@code beforeSequence}, newest first, at most {@code limit}. */
  List<Entry> newestFirst(String customerId, long beforeSequence, int limit);

  /** Removes every entry of the customer and returns how many there were. */
  int erase(String customerId);
}
