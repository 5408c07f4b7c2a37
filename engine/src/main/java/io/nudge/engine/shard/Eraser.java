package io.nudge.engine.shard;

import io.nudge.engine.Erasure;
import io.nudge.engine.Event;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.privacy.MemoryOnly;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.LoggedEvent;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Erases one customer everywhere the engine keeps them, in an order that lets nothing back in:
 *
 * <ol>
 *   <li>with the engine's admission lock held (no event is between its identity check and the log), the
 *       ids get tombstones and events naming them are dropped from now on; the shards drop the events of
 *       the customer still queued;
 *   <li>an empty append to the event log waits until every event admitted before is queued on its shard;
 *   <li>a task on every shard, behind those events, takes the customer out of the session and saves the
 *       removal at once; a second round lets events moved between shards meanwhile drain;
 *   <li>the stores delete the records, then the identity links (so that until then a failed erasure can
 *       be asked for again by the same id), and {@link EngineStore#compact} makes it physically gone.
 * </ol>
 *
 * <p>One erasure at a time: the engine runs them on its housekeeping thread.
 */
final class Eraser {
  private final IdentityRegistry identities;
  private final EngineStore store;
  private final ConsentStore consent;
  private final Consumer<String> forgetDevice;
  private final Shard[] shards;
  private final ReadWriteLock admission;
  private final Set<String> erasing;
  private final InstantSource clock;

  /**
   * @param consent the engine's consent: the store's, and that of memory-only visitors
   * @param forgetDevice told of each device key ({@code a:<anonymousId>}, {@code u:<userId>}) erased, for
   *     the engine's own memory of memory-only devices
   * @param admission held for reading by {@code submit} from its identity check until its events are
   *     queued for the log
   * @param erasing customers whose events the shards drop; filled and emptied here
   */
  Eraser(IdentityRegistry identities, EngineStore store, ConsentStore consent, Consumer<String> forgetDevice,
      Shard[] shards, ReadWriteLock admission, Set<String> erasing, InstantSource clock) {
    this.identities = identities;
    this.store = store;
    this.consent = consent;
    this.forgetDevice = forgetDevice;
    this.shards = shards;
    this.admission = admission;
    this.erasing = erasing;
    this.clock = clock;
  }

  Optional<Erasure> erase(String customerRef) {
    IdentityRegistry.Forgotten forgotten;
    String customerId;
    admission.writeLock().lock();
    try {
      Optional<String> customer = identities.customerOf(customerRef);
      if (customer.isEmpty()) {
        return Optional.empty();
      }
      customerId = customer.get();
      forgotten = identities.beginErasure(customerId);
      erasing.addAll(forgotten.customerIds());
    } finally {
      admission.writeLock().unlock();
    }
    boolean done = false;
    try {
      Erasure erasure = eraseRecords(customerId, forgotten);
      done = true;
      return Optional.of(erasure);
    } finally {
      erasing.removeAll(forgotten.customerIds());
      if (!done) {
        // still linked: the erasure can be asked for again by any of the ids
        identities.abandonErasure(forgotten);
      }
    }
  }

  private Erasure eraseRecords(String customerId, IdentityRegistry.Forgotten forgotten) {
    Set<String> customers = forgotten.customerIds();
    // a device that denied analytics lived in memory only, as a customer of its own
    Set<String> memoryOnly = new HashSet<>();
    forgotten.anonymousIds().forEach(a -> memoryOnly.add("a:" + a));
    forgotten.userIds().forEach(u -> memoryOnly.add("u:" + u));
    memoryOnly.forEach(forgetDevice);
    store.events().append(List.of(), logged -> { }).join();
    int journeys = onEveryShard((shard, session) -> {
      int removed = 0;
      for (String c : customers) {
        removed += session.remove(c) == null ? 0 : 1;
      }
      for (String device : memoryOnly) {
        session.remove(MemoryOnly.PREFIX + device); // in memory only: not counted as a stored journey
        consent.erase(MemoryOnly.PREFIX + device);
      }
      shard.saveNow(); // the snapshot deletes are written now, before the compaction, not after it
      return removed;
    });
    onEveryShard((shard, session) -> 0);

    Set<String> engagementIds = new HashSet<>();
    Map<String, Integer> records = new LinkedHashMap<>();
    Map<String, String> remaining = new LinkedHashMap<>();
    String deferred = store.events().erasureDeferred(clock.instant());
    if (deferred == null) {
      records.put("events", store.events().erase(le -> names(le, forgotten)));
    } else {
      records.put("events", 0);
      remaining.put("events", deferred);
    }
    records.put("journeys", journeys);
    int timeline = 0;
    int consentChoices = 0;
    DecisionLog.Removed decisions = new DecisionLog.Removed(0, 0);
    for (String c : customers) {
      store.decisions().forCustomer(c).forEach(d -> engagementIds.add(d.engagement().id()));
      timeline += store.timeline().erase(c);
      consentChoices += consent.erase(c);
      decisions = decisions.plus(store.decisions().erase(c));
    }
    records.put("timeline", timeline);
    records.put("consent", consentChoices);
    records.put("decisions", decisions.decisions());
    records.put("outcomes", decisions.outcomes());
    records.put("outbox", store.outbox().erase(customers));
    identities.finishErasure(forgotten);
    store.compact();

    Map<String, Integer> ids = new LinkedHashMap<>();
    ids.put("anonymousIds", forgotten.anonymousIds().size());
    ids.put("userIds", forgotten.userIds().size());
    ids.put("emails", forgotten.emails());
    ids.put("phones", forgotten.phones());
    ids.put("mergedCustomers", customers.size() - 1);
    return new Erasure(customerId, ids, records, forgotten.tombstones(), clock.instant(),
        forgotten.anonymousIds(), engagementIds, remaining, customers);
  }

  /** The customer's events, and any other that names one of its ids (an identify that conflicted). */
  private static boolean names(LoggedEvent le, IdentityRegistry.Forgotten f) {
    Event e = le.event();
    return f.customerIds().contains(le.customerId())
        || e.anonymousId() != null && f.anonymousIds().contains(e.anonymousId())
        || e.userId() != null && f.userIds().contains(e.userId())
        || e.previousId() != null && (f.anonymousIds().contains(e.previousId())
            || f.userIds().contains(e.previousId()));
  }

  /** Runs the task on every shard's own thread, behind what is queued there, and sums what it returns. */
  private int onEveryShard(BiFunction<Shard, JourneySession, Integer> task) {
    List<CompletableFuture<Integer>> done = new ArrayList<>(shards.length);
    for (Shard shard : shards) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      shard.enqueue(session -> {
        try {
          f.complete(task.apply(shard, session));
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
          throw e;
        }
      });
      done.add(f);
    }
    int sum = 0;
    for (CompletableFuture<Integer> f : done) {
      sum += f.join();
    }
    return sum;
  }
}
