package io.nudge.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What erasing a customer removed: the receipt. Counts only, so it can be kept as proof without
 * becoming a new copy of what was erased.
 *
 * @param customerId the customer's canonical id
 * @param ids how many ids were linked to the customer: {@code anonymousIds}, {@code userIds},
 *     {@code emails}, {@code phones} and {@code mergedCustomers} (second devices merged into it)
 * @param records how many records were removed: {@code events} (from the event log), {@code journeys},
 *     {@code timeline} entries, {@code consent} choices, {@code decisions}, {@code outcomes} and
 *     {@code outbox} engagements (waiting or dead letters)
 * @param tombstones salted hashes kept so that late events naming an erased id are dropped
 * @param erasedAt when the erasure finished
 * @param anonymousIds the anonymousIds erased: for adapters that hold some in memory (a visitor's open
 *     stream); not part of the receipt
 * @param engagementIds the engagements erased: for adapters that hold some in memory (a stream's replay,
 *     a webhook waiting to be retried); not part of the receipt
 * @param remaining what could not be removed at once, and when it will be: by kind of record (a cluster's
 *     events stay in its Kafka topics until their retention deletes them); empty when nothing remains
 * @param customerIds the customer and the customers merged into it: for the other nodes of a cluster,
 *     which erase their own copies; not part of the receipt
 */
public record Erasure(
    String customerId,
    Map<String, Integer> ids,
    Map<String, Integer> records,
    int tombstones,
    Instant erasedAt,
    Set<String> anonymousIds,
    Set<String> engagementIds,
    Map<String, String> remaining,
    Set<String> customerIds) {

  /** A receipt where nothing remains. */
  public Erasure(String customerId, Map<String, Integer> ids, Map<String, Integer> records, int tombstones,
      Instant erasedAt, Set<String> anonymousIds, Set<String> engagementIds) {
    this(customerId, ids, records, tombstones, erasedAt, anonymousIds, engagementIds, Map.of(), Set.of(customerId));
  }

  public Erasure {
    remaining = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(remaining));
    customerIds = Set.copyOf(customerIds);
    // in the order given, which the receipt keeps
    ids = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ids));
    records = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(records));
    anonymousIds = Set.copyOf(anonymousIds);
    engagementIds = Set.copyOf(engagementIds);
  }
}
