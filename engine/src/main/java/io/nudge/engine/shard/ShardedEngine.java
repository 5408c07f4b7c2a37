package io.nudge.engine.shard;

import io.nudge.engine.Checks;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.DecisionListener;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.NotFoundException;
import io.nudge.engine.NudgeException;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.decision.Outcomes;
import io.nudge.engine.OverloadedException;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.consent.MemoryOnlyConsentStore;
import io.nudge.engine.privacy.MemoryOnly;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.journey.Asked;
import io.nudge.engine.journey.CustomerView;
import io.nudge.engine.journey.Gate;
import io.nudge.engine.policy.ContactHistory;
import io.nudge.engine.policy.PolicyGate;
import io.nudge.engine.policy.QueueCapacity;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.EngineStore;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.MemoryStore;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customers spread over shards by a hash of their canonical id; each shard is one thread and one rule
 * session. Every accepted event goes to the event log first; once it is durable it is handed to its
 * shard. On start the engine restores the journeys saved by the shards and replays the log after
 * their checkpoints, so a crash loses nothing that was acknowledged.
 */
public final class ShardedEngine implements NudgeEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedEngine.class);
  /** Events that carry a deliberate new choice, made in the site's consent banner: Nudge's SDK, Segment's. */
  static final Set<String> CONSENT_CHANGES = Set.of("Consent Updated", "Segment Consent Preference Updated");

  /** How far back raw events are put back into the sessions on restart: their expiry. */
  static final Duration RECENT_EVENTS = io.nudge.engine.facts.CustomerEvent.LIFETIME;
  /** An engagement whose moment passed longer ago than this when it is decided is not sent. */
  static final Duration STALE_AFTER = Duration.ofMinutes(2);

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  private final EngineSettings settings;
  private volatile RulePack rules;
  private final Object reloading = new Object();
  private final Shard[] shards;
  private final IdentityRegistry identities;
  private final EngineStore store;
  private final QueueCapacity capacity = new QueueCapacity();
  private final PolicyGate policyGate;
  private final ConsentGate consentGate;
  /** Consent of memory-only visitors in memory, everyone else's in the store. */
  private final MemoryOnlyConsentStore consent;
  /** Devices served from memory only because they denied analytics; forgotten with their visit. */
  private final MemoryOnlyVisitors memoryOnly;
  private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "nudge-housekeeping");
    t.setDaemon(true);
    return t;
  });
  private final Object[] outcomeLocks = new Object[64];
  /** Read-held by {@link #submit} until its events are queued for the log; write-held by an erasure. */
  private final java.util.concurrent.locks.ReadWriteLock admission =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  /** Customers being erased: the shards drop their events. */
  private final Set<String> erasing = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.LongAdder erasedEventsDropped = new java.util.concurrent.atomic.LongAdder();
  private volatile long dispatched;
  /** Completes when every shard has caught up after the start: see {@link #startRecovering}. */
  private final CompletableFuture<Void> recovered = new CompletableFuture<>();
  private volatile boolean closed;
  /** On a cluster node: what crosses to shards other nodes own. Null when the engine runs alone. */
  private final Crossings crossings;
  /** On a cluster node: the newest sequence handed to each shard, in its partition's own numbering. */
  private final java.util.concurrent.atomic.AtomicLongArray shardDispatched;
  /** On a cluster node: the checkpoint each shard was taken over from. */
  private final java.util.concurrent.atomic.AtomicLongArray restoredCheckpoint;
  private final DecisionListener listener;

  /**
   * How a cluster node carries a customer to a shard another node owns (an identity merge across Kafka
   * partitions). Both are asynchronous: the node writes a record to the shard's partition, and its
   * owner acts on it in order with the events there ({@link #moveOutRequested}, {@link #moveInRequested}).
   */
  public interface Crossings {
    /** Asks the owner of {@code from}'s shard to take that customer out and hand them to {@code into}. */
    void moveOut(String from, String into);

    /** Hands {@code from}'s snapshot to the owner of {@code into}'s shard, to fold into {@code into}. */
    void moveIn(String into, String from, byte[] snapshot);
  }

  private ShardedEngine(EngineSettings settings, RulePack rules, EngineStore store, DecisionListener listener,
      long sessionStart) {
    this(settings, rules, store, listener, sessionStart, null);
  }

  private ShardedEngine(EngineSettings settings, RulePack rules, EngineStore store, DecisionListener listener,
      long sessionStart, Crossings crossings) {
    this.settings = settings;
    this.crossings = crossings;
    this.listener = listener;
    this.shardDispatched = new java.util.concurrent.atomic.AtomicLongArray(settings.shards());
    this.restoredCheckpoint = new java.util.concurrent.atomic.AtomicLongArray(settings.shards());
    this.rules = rules;
    this.store = store;
    this.identities = new IdentityRegistry(store.identities(), settings.clock());
    this.consent = new MemoryOnlyConsentStore(store.consent());
    this.memoryOnly = new MemoryOnlyVisitors(identities, consent);
    this.consentGate = new ConsentGate(consent, settings.consentDefault());
    this.policyGate = new PolicyGate(consentGate, settings.policy(),
        capacity, this::sentSince);
    for (int i = 0; i < outcomeLocks.length; i++) {
      outcomeLocks[i] = new Object();
    }
    Gate gate = this::decide;
    Consumer<Decision> out = d -> record(d, listener);
    this.shards = new Shard[settings.shards()];
    for (int i = 0; i < shards.length; i++) {
      JourneySession session = new JourneySession(rules, sessionStart, settings.sessionTimeout(),
          settings.policy().arbitrationWindow(), gate, out, true);
      session.consentFrom(consentGate::fact, consent::changes);
      int index = i;
      java.util.function.LongSupplier dispatchedTo = crossings == null ? () -> dispatched
          : () -> shardDispatched.get(index);
      shards[i] = new Shard(i, settings.queueCapacity(), session, settings.clock(), settings.tick().toMillis(),
          settings.dedupeWindow(), store.journeys(), dispatchedTo, settings.metrics());
    }
  }

  private JourneySession emptySession(RulePack pack) {
    JourneySession session = new JourneySession(pack, settings.clock().millis(), settings.sessionTimeout(),
        settings.policy().arbitrationWindow(), this::decide, d -> record(d, listener), true);
    session.consentFrom(consentGate::fact, consent::changes);
    return session;
  }

  /**
   * Starts an engine for a cluster node: one shard per Kafka partition of the events topic, none owned
   * yet. The node hands each partition it is assigned to {@link #own}, its records to {@link #dispatch},
   * and takes it back with {@link #disown}; {@code store}'s event log appends to the partitions.
   */
  public static ShardedEngine startClustered(EngineSettings settings, RulePack rules, DecisionListener listener,
      EngineStore store, Crossings crossings) {
    Checks.checkArgument(crossings != null, "a cluster node needs its crossings");
    ShardedEngine engine = new ShardedEngine(settings, rules, store, listener, settings.clock().millis(), crossings);
    for (Shard s : engine.shards) {
      s.disownAtStart();
      s.start();
    }
    engine.recovered.complete(null); // a node catches up partition by partition, as it takes them over
    engine.housekeeping.scheduleWithFixedDelay(engine::forgetEndedMemoryOnlyVisits, 1, 1, TimeUnit.MINUTES);
    return engine;
  }

  /**
   * Takes a shard over: puts its customers back from their snapshots and saves from {@code checkpoint}
   * on. The events after the checkpoint come next through {@link #dispatch}, also those before it
   * that the rules still look back at (they are put back, not applied again).
   *
   * @return completes once the journeys are back, on the shard's thread
   */
  public CompletableFuture<Void> own(int shard, long checkpoint, Map<String, byte[]> snapshots) {
    Shard s = shards[shard];
    CompletableFuture<Void> done = new CompletableFuture<>();
    shardDispatched.set(shard, checkpoint);
    restoredCheckpoint.set(shard, checkpoint);
    s.enqueue(session -> {
      try {
        for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
          session.restore(e.getKey(), e.getValue());
        }
        s.own(checkpoint);
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * Gives a shard up: saves its changed journeys with its checkpoint, then forgets them, so the next
   * owner starts where this one stopped.
   *
   * @return completes once saved, on the shard's thread
   */
  public CompletableFuture<Void> disown(int shard) {
    Shard s = shards[shard];
    CompletableFuture<Void> done = new CompletableFuture<>();
    s.enqueue(session -> {
      try {
        s.disown(emptySession(rules));
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /**
   * Drops a shard that another node may own already (its partition was lost, not handed over): forgets
   * its journeys without saving them. The next owner replays from the last checkpoint saved.
   */
  public CompletableFuture<Void> drop(int shard) {
    Shard s = shards[shard];
    CompletableFuture<Void> done = new CompletableFuture<>();
    s.enqueue(session -> {
      try {
        s.drop(emptySession(rules));
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done;
  }

  /** True when this node owns the shard (always, when the engine runs alone). */
  public boolean owns(int shard) {
    return shards[shard].owned();
  }

  /**
   * Hands a shard events read from its partition, in order; their sequences are the partition's
   * offsets + 1. An event the customer's restored journey already holds is put back for the rules to
   * look back at, not applied again.
   */
  public void dispatch(int shard, List<LoggedEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    Shard s = shards[shard];
    long now = settings.clock().millis();
    long checkpoint = restoredCheckpoint.get(shard);
    s.enqueue(session -> {
      for (LoggedEvent le : events) {
        String owner = identities.customerOf(le.customerId()).orElse(le.customerId());
        boolean own = owner.equals(le.customerId());
        // up to the checkpoint every event is in the snapshots: in its customer's, or, for a customer moved
        // to another partition since, in the journey it was folded into there (or forwarded already)
        if (le.sequence() <= checkpoint || own && le.sequence() <= session.lastSequence(owner)) {
          if (le.event().messageId() != null) {
            s.firstSight(le.event().source(), le.event().messageId());
          }
          if (own && le.receivedAt() >= now - RECENT_EVENTS.toMillis() && session.knows(owner)) {
            session.reinsert(owner, le.event(), le.receivedAt(), le.sequence());
          }
          s.applied(le.sequence());
        } else {
          applyLogged(s, session, le);
        }
      }
    });
    shardDispatched.set(shard, events.get(events.size() - 1).sequence());
  }

  /** A record of a shard's partition asking to move {@code from} into {@code into}: see {@link Crossings}. */
  public void moveOutRequested(int shard, String from, String into, long sequence) {
    Shard s = shards[shard];
    s.enqueue(session -> {
      byte[] snapshot = session.remove(from);
      if (snapshot != null) {
        handOver(into, from, snapshot);
      }
      s.applied(sequence);
    });
    shardDispatched.accumulateAndGet(shard, sequence, Math::max);
  }

  /** A record of a shard's partition carrying {@code from}'s journey to fold into {@code into}. */
  public void moveInRequested(int shard, String into, String from, byte[] snapshot, long sequence) {
    Shard s = shards[shard];
    s.enqueue(session -> {
      session.absorbFromOtherLog(into, from, snapshot);
      s.applied(sequence);
    });
    shardDispatched.accumulateAndGet(shard, sequence, Math::max);
  }

  /** Folds a removed customer into {@code into}: on this node when it owns the shard, else through its owner. */
  private void handOver(String into, String from, byte[] snapshot) {
    Shard target = shardOf(into);
    target.enqueue(s -> {
      if (target.owned()) {
        if (crossings == null) {
          s.absorb(into, from, snapshot);
        } else {
          s.absorbFromOtherLog(into, from, snapshot);
        }
      } else {
        crossings.moveIn(into, from, snapshot);
      }
    });
  }

  /** The shard of a customer among {@code shards}: the same on every node, so a partition is a shard. */
  public static int shardIndex(String customerId, int shards) {
    int h = customerId.hashCode();
    h ^= (h >>> 16);
    h *= 0x85ebca6b;
    h ^= (h >>> 13);
    return Math.floorMod(h, shards);
  }

  /** Starts an engine whose stores live in memory. */
  public static ShardedEngine start(EngineSettings settings, RulePack rules, DecisionListener listener) {
    return start(settings, rules, listener, new MemoryStore(settings.clock()));
  }

  /**
   * Starts an engine on {@code store}, restoring what it holds first; returns once every shard has
   * caught up (see {@link #startRecovering}).
   */
  public static ShardedEngine start(EngineSettings settings, RulePack rules, DecisionListener listener,
      EngineStore store) {
    ShardedEngine engine = startRecovering(settings, rules, listener, store);
    try {
      engine.recovered.join();
    } catch (java.util.concurrent.CompletionException e) {
      engine.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return engine;
  }

  /**
   * Starts an engine on {@code store} and returns as soon as it takes events, before it has read the
   * journeys or the event log: new events are logged after the last one logged before the start. Two
   * threads then read the journeys (put back as their snapshots' bytes, see {@link JourneySession#restore},
   * each on its shard's thread) and the log, side by side. Each shard then catches up on its own thread,
   * before any new event: it puts back the recent raw events its customers' rules look back at, applies
   * the logged events no snapshot holds, and runs the timers that fell due while Nudge was down, second
   * by second. Events accepted meanwhile are in the log and wait behind that, in order;
   * {@link #recovered} completes when every shard is through, exceptionally when the store could not be
   * read (the shards then apply and save nothing).
   */
  public static ShardedEngine startRecovering(EngineSettings settings, RulePack rules, DecisionListener listener,
      EngineStore store) {
    long started = System.nanoTime();
    long now = settings.clock().millis();
    EventLog log = store.events();
    long from = Math.min(store.journeys().checkpoint() + 1,
        log.firstSequenceAtOrAfter(now - RECENT_EVENTS.toMillis()));
    long last = log.lastSequence();
    long sessionStart = Math.min(now, log.firstReceivedAt(from).orElse(now));
    ShardedEngine engine = new ShardedEngine(settings, rules, store, listener, sessionStart);
    engine.restore(from, last, now, started);
    engine.housekeeping.scheduleWithFixedDelay(engine::trimLog, 1, 1, TimeUnit.MINUTES);
    engine.housekeeping.scheduleWithFixedDelay(engine::forgetEndedMemoryOnlyVisits, 1, 1, TimeUnit.MINUTES);
    engine.housekeeping.scheduleWithFixedDelay(engine::purgeRetained, 1, 60, TimeUnit.MINUTES);
    return engine;
  }

  /** Removes logged events past the retention that no restart needs any more. */
  private void trimLog() {
    try {
      long now = settings.clock().millis();
      EventLog log = store.events();
      long keepFrom = Math.min(store.journeys().checkpoint() + 1,
          log.firstSequenceAtOrAfter(now - RECENT_EVENTS.toMillis()));
      log.trim(now - settings.eventRetention().toMillis(), keepFrom);
      store.decisions().trimSentBefore(now - settings.eventRetention().toMillis());
    } catch (RuntimeException e) {
      LOG.error("trimming the event log failed; trying again in a minute", e);
    }
  }

  private void purgeRetained() {
    try {
      Map<String, Integer> purged = new Retention(store, shards, identities)
          .purge(settings.clock().millis(), settings.journeyRetention(), settings.decisionRetention());
      if (purged.values().stream().anyMatch(n -> n > 0)) {
        LOG.info("retention purged {} journeys ({} timeline entries) and {} decisions ({} outcomes)",
            purged.get("journeys"), purged.get("timeline"), purged.get("decisions"), purged.get("outcomes"));
      }
    } catch (RuntimeException e) {
      LOG.error("purging what is past its retention failed; trying again in an hour", e);
    }
  }

  /**
   * Purges now, on the housekeeping thread, what the hourly run would: journeys idle longer than the
   * journey retention (with their timelines) and decisions older than the decision retention.
   *
   * @return how many {@code journeys}, {@code timeline} entries, {@code decisions} and {@code outcomes}
   */
  public CompletableFuture<Map<String, Integer>> purgeExpired() {
    return CompletableFuture.supplyAsync(() -> new Retention(store, shards, identities)
        .purge(settings.clock().millis(), settings.journeyRetention(), settings.decisionRetention()), housekeeping);
  }

  @Override
  public CompletableFuture<Optional<io.nudge.engine.Erasure>> erase(String customerRef) {
    // on the housekeeping thread: one erasure at a time, and none while the log is trimmed
    return CompletableFuture.supplyAsync(() -> {
      Optional<io.nudge.engine.Erasure> done =
          new Eraser(identities, store, consent, memoryOnly::forgetDevice, shards, admission, erasing,
              settings.clock()).erase(customerRef);
      done.ifPresent(e -> LOG.info("erased a customer: {} events, {} decisions, {} tombstones",
          e.records().get("events"), e.records().get("decisions"), e.tombstones()));
      return done;
    }, housekeeping);
  }

  @Override
  public List<OutcomeRecord> outcomes(String engagementId) {
    return store.decisions().outcomes(engagementId);
  }

  @Override
  public List<LoggedEvent> loggedEvents(String customerRef) {
    Optional<String> customerId = identities.customerOf(customerRef);
    if (customerId.isEmpty()) {
      return List.of();
    }
    Set<String> customers = new java.util.HashSet<>(identities.mergedInto(customerId.get()));
    customers.add(customerId.get());
    List<LoggedEvent> out = new ArrayList<>();
    store.events().replay(1, le -> {
      if (customers.contains(le.customerId())) {
        out.add(le);
      }
    });
    return out;
  }

  /** See {@link #startRecovering} and {@link NudgeEngine#recovered}. */
  @Override
  public CompletableFuture<Void> recovered() {
    return recovered.copy();
  }

  /** The restore under way after a start, until it has caught up; read by {@link #close}. */
  private volatile Recovery restoring;

  /** Starts the shards behind a {@link Recovery}; see {@link #startRecovering}. */
  private void restore(long from, long last, long now, long started) {
    dispatched = last;
    store.journeys().resetCheckpoints(shards.length, store.journeys().checkpoint());
    Recovery recovery = new Recovery(shards, store, identities, this::shardOf, this::applyLogged, () -> closed,
        recovered, from, last, now, started);
    restoring = recovery;
    recovered.thenRun(() -> restoring = null); // what it read is garbage once every shard caught up
    recovery.start();
  }

  /** What the gate says, unless an engagement's moment has passed; each carries the consent it saw. */
  private List<Decision> decide(List<Asked> asked, CustomerView customer, Instant at) {
    // the agent sees the customer's consent with the journey, as the gate saw it
    Map<String, String> consentState = new java.util.LinkedHashMap<>();
    Map<Purpose, ConsentRecord> choices = consent.current(asked.get(0).engagement().customerId());
    for (Purpose p : Purpose.values()) {
      consentState.put(p.id(), ConsentGate.stateOf(choices.get(p)));
    }
    List<Asked> withConsent = new ArrayList<>(asked.size());
    for (Asked a : asked) {
      Engagement e = a.engagement();
      if (MemoryOnly.is(e.customerId())) {
        // analytics denied: the journey summary (pages, cart, searches) is not kept with the decision
        e = new Engagement(e.id(), e.type(), e.rule(), e.createdAt(), e.customerId(), e.anonymousId(), e.userId(),
            e.fields(), Map.of("reason", e.context().getOrDefault("reason", e.rule()),
                "dataUsed", e.context().getOrDefault("dataUsed", ""), "memoryOnly", true));
      }
      withConsent.add(new Asked(e.withContext("consent", consentState), a.priority(), a.orTip()));
    }
    List<Decision> decided = new ArrayList<>(asked.size());
    for (Decision d : policyGate.decide(withConsent, customer, at)) {
      long late = settings.clock().millis() - d.engagement().createdAt().toEpochMilli();
      decided.add(d.sent() && late > STALE_AFTER.toMillis()
          ? new Decision(d.engagement(), Decision.Outcome.SUPPRESSED, "expired", at) : d);
    }
    return decided;
  }

  /** The engagements sent to a customer (and the customers merged into them) since a time. */
  private List<ContactHistory.Contact> sentSince(String customerId, Instant since) {
    List<ContactHistory.Contact> sent = new ArrayList<>();
    List<String> ids = new ArrayList<>(identities.mergedInto(customerId));
    ids.add(customerId);
    for (String id : ids) {
      for (Decision d : store.decisions().forCustomer(id)) {
        if (d.sent() && !d.decidedAt().isBefore(since)) {
          sent.add(new ContactHistory.Contact(d.engagement(), d.decidedAt(),
              store.decisions().outcomes(d.engagement().id())));
        }
      }
    }
    return sent;
  }

  @Override
  public void reportCapacity(QueueCapacity.Report report) {
    capacity.report(report);
  }

  @Override
  public Map<String, QueueCapacity.Report> capacity() {
    return capacity.all();
  }

  private void record(Decision d, DecisionListener listener) {
    if (store.decisions().contains(d.engagement().customerId(), d.engagement().id())) {
      return; // decided before the restart that replays it
    }
    settings.metrics().decided(d);
    // the listener first: it puts what is sent in the outbox, so a crash before the decision is
    // recorded repeats the delivery (same id) on replay instead of losing it
    try {
      listener.onDecision(d);
    } catch (RuntimeException e) {
      LOG.error("decision listener failed for engagement {}", d.engagement().id(), e);
    }
    store.decisions().append(d);
  }

  /** Records that delivery gave up on a sent engagement; its decision becomes {@code expired}. */
  public void deliveryExpired(io.nudge.engine.Engagement e, String reason) {
    if (store.decisions().find(e.id()).isEmpty()) {
      return; // erased, or past its retention, while delivery was still trying
    }
    Decision expired = new Decision(e, Decision.Outcome.EXPIRED, reason, settings.clock().instant());
    settings.metrics().decided(expired);
    store.decisions().append(expired);
  }

  /** The store's outbox, for the delivery adapters. */
  public io.nudge.engine.store.Outbox outbox() {
    return store.outbox();
  }

  @Override
  public CompletableFuture<Void> submit(List<Event> events, Ack ack) {
    if (closed) {
      throw new NudgeException("the engine is shutting down and takes no more events");
    }
    // held until the events are queued for the log: an erasure finds each in the log, or drops it
    admission.readLock().lock();
    try {
      return admit(events, ack);
    } finally {
      admission.readLock().unlock();
    }
  }

  private CompletableFuture<Void> admit(List<Event> events, Ack ack) {
    long movesBefore = identities.moves(); // read before any event is routed
    List<EventLog.Entry> entries = new ArrayList<>(events.size());
    List<LoggedEvent> inMemory = new ArrayList<>();
    int[] perShard = new int[shards.length];
    for (Event event : events) {
      Checks.checkArgument(!event.timestamp().isBefore(EARLIEST) && !event.timestamp().isAfter(LATEST),
          "timestamp %s is out of range: years 1 to 9999", event.timestamp());
      boolean alias = event.type() == Event.EventType.ALIAS && event.previousId() != null;
      Checks.checkArgument(!alias || event.userId() != null, "userId is required for alias");
      if (identities.isErased(event)) {
        erasedEventsDropped.increment();
        continue; // before identity resolution: no link, no customer is made again
      }
      String inMemoryOnly = memoryOnly.route(event);
      if (inMemoryOnly != null) {
        Shard shard = shardOf(inMemoryOnly);
        if (!shard.hasRoom(++perShard[shard.index()])) {
          throw overloaded(shard);
        }
        inMemory.add(new LoggedEvent(memoryOnly.nextSequence(), settings.clock().millis(), inMemoryOnly,
            settings.personalData().minimise(event, identities::pseudonym)));
        continue;
      }
      String customerId;
      if (alias) {
        customerId = identities.alias(event.previousId(), event.userId());
      } else if (event.anonymousId() == null && event.userId() == null) {
        customerId = identities.resolveContact(event.traits());
      } else {
        IdentityRegistry.Resolution r = identities.resolveEvent(event.anonymousId(), event.userId());
        customerId = r.customerId();
        if (r.mergedFrom() != null) {
          merge(r.mergedFrom(), customerId);
        }
        if (event.type() == Event.EventType.IDENTIFY || event.type() == Event.EventType.INTERACTION) {
          identities.linkContactPoints(customerId, event.traits());
        }
      }
      memoryOnly.carryChoicesTo(customerId);
      Shard shard = shardOf(customerId);
      if (crossings == null && !shard.hasRoom(++perShard[shard.index()])) {
        throw overloaded(shard); // on a cluster node the event goes to Kafka, not to this node's queue
      }
      // personal fields are hashed or dropped before the event is written anywhere
      entries.add(new EventLog.Entry(customerId, settings.personalData().minimise(event, identities::pseudonym)));
    }
    List<CompletableFuture<Void>> applied = new ArrayList<>();
    for (LoggedEvent le : inMemory) {
      Shard shard = shardOf(le.customerId());
      CompletableFuture<Void> done = new CompletableFuture<>();
      applied.add(done);
      shard.enqueue(session -> {
        try {
          applyInMemory(shard, session, le);
          session.whenRulesRan(() -> done.complete(null));
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
    }
    settings.metrics().eventsAccepted(entries.size() + inMemory.size());
    if (entries.isEmpty()) {
      return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new));
    }
    long appendStarted = System.nanoTime();
    CompletableFuture<List<LoggedEvent>> durable = store.events().append(entries, logged -> {
      if (crossings != null) {
        return; // a cluster node reads them back from their partitions, in the partitions' order
      }
      // one task per shard for all its events of the batch, in their order
      List<List<LoggedEvent>> byShard = new ArrayList<>(java.util.Collections.nCopies(shards.length, null));
      for (LoggedEvent le : logged) {
        int i = shardOf(le.customerId()).index();
        if (byShard.get(i) == null) {
          byShard.set(i, new ArrayList<>());
        }
        byShard.get(i).add(le);
      }
      for (int i = 0; i < shards.length; i++) {
        List<LoggedEvent> mine = byShard.get(i);
        if (mine != null) {
          Shard shard = shards[i];
          CompletableFuture<Void> done = new CompletableFuture<>();
          applied.add(done);
          shard.enqueue(session -> applyAll(shard, session, mine, movesBefore, done));
        }
      }
      dispatched = logged.get(logged.size() - 1).sequence();
    });
    durable.thenAccept(logged -> settings.metrics().eventsWritten(logged.size(), System.nanoTime() - appendStarted));
    if (ack == Ack.DURABLE) {
      return durable.thenApply(l -> null);
    }
    return durable.thenCompose(l -> CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new)));
  }

  /** A memory-only visitor's event: into the session, never into the log, timeline or checkpoint. */
  private void applyInMemory(Shard shard, JourneySession session, LoggedEvent le) {
    Event event = le.event();
    if (event.messageId() == null || shard.firstSight(event.source(), event.messageId())) {
      Instant chosen = Instant.ofEpochMilli(Math.min(event.timestamp().toEpochMilli(), le.receivedAt()));
      recordEventConsent(le.customerId(), event, chosen);
      long sequence = Math.max(le.sequence(), session.lastSequence(le.customerId()) + 1);
      long started = System.nanoTime();
      session.apply(le.customerId(), event, le.receivedAt(), sequence);
      shard.processed(started);
    }
  }

  /** Forgets memory-only visitors whose visit has ended, on each shard's own thread. */
  private void forgetEndedMemoryOnlyVisits() {
    for (Shard s : shards) {
      s.enqueue(session -> {
        session.forgetEndedVisits(MemoryOnly::is).forEach(memoryOnly::forgotten);
      });
    }
  }

  /**
   * Applies a shard's events of one batch, in order, and completes {@code done} once the rules ran on
   * them. {@code movesBefore}, {@link IdentityRegistry#moves} read before they were routed, spares a
   * second identity look-up per event while no id has moved since.
   */
  private void applyAll(Shard shard, JourneySession session, List<LoggedEvent> events, long movesBefore,
      CompletableFuture<Void> done) {
    RuntimeException failure = null;
    for (LoggedEvent le : events) {
      try {
        applyLogged(shard, session, le, identities.moves() != movesBefore);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    RuntimeException failed = failure;
    session.whenRulesRan(() -> {
      if (failed == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(failed);
      }
    });
  }

  private void applyLogged(Shard shard, JourneySession session, LoggedEvent le) {
    applyLogged(shard, session, le, true);
  }

  private void applyLogged(Shard shard, JourneySession session, LoggedEvent le, boolean mayHaveMoved) {
    if (!erasing.isEmpty() && erasing.contains(le.customerId())) {
      shard.applied(le.sequence());
      return; // its customer is being erased
    }
    String owner = mayHaveMoved ? identities.customerOf(le.customerId()).orElse(le.customerId()) : le.customerId();
    if (!owner.equals(le.customerId())) {
      // its customer was merged into another after the event was routed: it belongs there now
      LoggedEvent moved = new LoggedEvent(le.sequence(), le.receivedAt(), owner, le.event());
      Shard target = shardOf(owner);
      if (target == shard) {
        applyLogged(shard, session, moved);
      } else if (crossings != null) {
        // to the partition of the customer it belongs to now, where it is read in order with theirs
        store.events().append(List.of(new EventLog.Entry(owner, le.event())), logged -> {});
        shard.applied(le.sequence());
      } else {
        target.enqueue(s -> applyLogged(target, s, moved));
      }
      return;
    }
    Event event = le.event();
    if (event.messageId() == null || shard.firstSight(event.source(), event.messageId())) {
      // stamped with when the customer chose, so a newer choice made through the API wins
      Instant chosen = event.timestamp().toEpochMilli() > le.receivedAt()
          ? Instant.ofEpochMilli(le.receivedAt()) : event.timestamp();
      recordEventConsent(le.customerId(), event, chosen);
      if (crossings != null && event.type() == Event.EventType.OUTCOME) {
        recordOutcomeEvent(event);
      }
      long started = System.nanoTime();
      session.apply(le.customerId(), event, le.receivedAt(), le.sequence());
      shard.processed(started);
      store.timeline().append(le.customerId(), Timelines.entryOf(le));
    } else {
      // a repeat, dropped; its customer's journey still counts it as seen, so a restart does not apply
      // it as an event the journey never had
      session.skip(le.customerId(), le.sequence());
    }
    shard.applied(le.sequence());
  }

  /**
   * Moves a second device's customer into the user's: out of its shard, into the user's shard. The
   * identity links already point at {@code into}, so events that arrive meanwhile (a late one from the
   * old device too) go to {@code into} and join what is merged in.
   */
  private void merge(String from, String into) {
    for (ConsentRecord c : consent.current(from).values()) {
      consent.record(into, c); // the newer choice per purpose wins
    }
    LOG.info("merging a customer into another after an identify");
    Shard source = shardOf(from);
    if (crossings != null && !source.owned()) {
      crossings.moveOut(from, into);
      return;
    }
    source.enqueue(session -> {
      byte[] snapshot = session.remove(from);
      if (crossings != null && snapshot == null) {
        return;
      }
      handOver(into, from, snapshot);
    });
  }

  private OverloadedException overloaded(Shard shard) {
    return new OverloadedException("shard " + shard.index() + " has " + shard.queued()
        + " events queued, its limit of " + shard.capacity() + " (NUDGE_SHARD_QUEUE); retry later", 1);
  }

  @Override
  public CompletableFuture<Void> recordOutcome(String engagementId, String outcome, Instant at) {
    Checks.checkArgument(Outcomes.ALL.contains(outcome),
        "outcome \"%s\" is not one of shown, accepted, declined, ignored, expired, converted", outcome);
    Decision decision = store.decisions().find(engagementId)
        .orElseThrow(() -> new NotFoundException("no engagement has id \"" + engagementId + "\""));
    Event event = outcomeEvent(decision.engagement(), outcome, at);
    // checked, handed on and recorded under one lock: a refused hand-on (429) records nothing
    synchronized (outcomeLocks[Math.floorMod(engagementId.hashCode(), outcomeLocks.length)]) {
      if (!Outcomes.mayFollow(store.decisions().outcomes(engagementId), outcome, engagementId)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> durable = submit(List.of(event), Ack.DURABLE);
      if (store.decisions().find(engagementId).isPresent()) { // not erased meanwhile
        store.decisions().appendOutcome(engagementId, new OutcomeRecord(outcome, at));
      }
      return durable;
    }
  }

  /** The event that carries an engagement's outcome to its customer's journey. */
  public static Event outcomeEvent(Engagement e, String outcome, Instant at) {
    return new Event(null, "outcome", Event.EventType.OUTCOME, e.anonymousId(),
        e.anonymousId() == null ? e.userId() : null, null, outcome,
        Map.of("engagementId", e.id(), "rule", e.rule(), "type", e.type().id(), "outcome", outcome,
            "at", at.toEpochMilli()),
        Map.of(), at, null);
  }

  /**
   * On a cluster node, an outcome reaches the engine as an event (a delivery node took it): it is
   * recorded with the decision here, where the caps and cool-downs read it, unless it would go backwards.
   */
  private void recordOutcomeEvent(Event event) {
    if (!(event.properties().get("engagementId") instanceof String id) || event.name() == null) {
      return;
    }
    Object at = event.properties().get("at");
    Instant when = at instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : event.timestamp();
    synchronized (outcomeLocks[Math.floorMod(id.hashCode(), outcomeLocks.length)]) {
      try {
        if (store.decisions().find(id).isPresent()
            && Outcomes.mayFollow(store.decisions().outcomes(id), event.name(), id)) {
          store.decisions().appendOutcome(id, new OutcomeRecord(event.name(), when));
        }
      } catch (Outcomes.ConflictException e) {
        LOG.warn("outcome not recorded: {}", e.getMessage()); // two delivery nodes took outcomes out of order
      }
    }
  }

  @Override
  public void setConsent(String customerRef, Map<Purpose, Boolean> choices, String source) {
    String customerId = identities.resolveAny(customerRef);
    recordConsent(customerId, choices, source, settings.clock().instant());
    shardOf(customerId).enqueue(session -> session.refreshConsent(customerId)); // the rules' fact too
  }



  /**
   * The choices an event carries in {@code context.consent}, then its privacy signals (a signal wins).
   * A choice equal to the current one is not recorded again: most events only repeat the browser's
   * state. A choice the visitor made in Nudge's own controls (source {@code visitor}) stands over such
   * repeats until a consent-change event ({@link #CONSENT_CHANGES}) says the visitor chose again on the site.
   */
  private void recordEventConsent(String customerId, Event event, Instant at) {
    if (event.context().consent().isEmpty() && event.context().signals().isEmpty()) {
      return;
    }
    boolean deliberate = event.name() != null && CONSENT_CHANGES.contains(event.name());
    Map<Purpose, ConsentRecord> current = consent.current(customerId);
    for (Map.Entry<Purpose, Boolean> c : event.context().consent().entrySet()) {
      ConsentRecord now = current.get(c.getKey());
      boolean repeat = now != null && now.granted() == c.getValue();
      boolean visitorStands = now != null && ConsentRecord.VISITOR.equals(now.source()) && !deliberate;
      boolean signalled = event.context().signals().containsKey(c.getKey()); // the signal decides it below
      if (!repeat && !visitorStands && !signalled) {
        consent.record(customerId, new ConsentRecord(c.getKey(), c.getValue(), "event", at));
      }
    }
    for (Map.Entry<Purpose, Boolean> c : event.context().signals().entrySet()) {
      ConsentRecord now = consent.current(customerId).get(c.getKey());
      if (now == null || now.granted() != c.getValue()) {
        consent.record(customerId, new ConsentRecord(c.getKey(), c.getValue(), "signal", at));
      }
    }
  }

  private void recordConsent(String customerId, Map<Purpose, Boolean> choices, String source, Instant at) {
    for (Map.Entry<Purpose, Boolean> c : choices.entrySet()) {
      consent.record(customerId, new ConsentRecord(c.getKey(), c.getValue(), source, at));
    }
  }

  @Override
  public List<ConsentRecord> consentHistory(String customerRef) {
    return identities.customerOf(customerRef).map(consent::history).orElse(List.of());
  }

  @Override
  public Map<Purpose, ConsentRecord> consent(String customerRef) {
    return identities.customerOf(customerRef).map(consent::current).orElse(Map.of());
  }

  @Override
  public Optional<String> customerOf(String anyId) {
    return identities.customerOf(anyId);
  }

  @Override
  public Set<String> anonymousIdsOf(String customerId) {
    if (MemoryOnly.is(customerId)) {
      // never linked, so the device in the id is the only one: x:a:<anonymousId>
      String device = customerId.substring(MemoryOnly.PREFIX.length());
      return device.startsWith("a:") ? Set.of(device.substring(2)) : Set.of();
    }
    return identities.anonymousIdsOf(customerId);
  }

  @Override
  public List<Decision> decisions(String customerRef) {
    Optional<String> customerId = identities.customerOf(customerRef);
    if (customerId.isEmpty()) {
      // a visitor served from memory only is known by their device alone
      return memoryOnly.customerOfAnonymousId(customerRef).map(store.decisions()::forCustomer).orElse(List.of());
    }
    List<Decision> all = new ArrayList<>(store.decisions().forCustomer(customerId.get()));
    for (String merged : identities.mergedInto(customerId.get())) {
      all.addAll(store.decisions().forCustomer(merged));
    }
    all.sort(java.util.Comparator.comparing(Decision::decidedAt));
    return all;
  }

  @Override
  public Map<String, Object> statistics() {
    Map<String, Object> stats = io.nudge.engine.decision.Statistics.compute(store.decisions(), store.timeline());
    stats.put("erasedEventsDropped", erasedEventsDropped.sum()); // since the start: not kept across restarts
    return stats;
  }

  @Override
  public io.nudge.engine.CustomerIds ids(String customerId) {
    return identities.ids(customerId);
  }

  /** The customers merged into this one, and the identify conflicts recorded about it. */
  public IdentityRegistry identities() {
    return identities;
  }

  @Override
  public CompletableFuture<Optional<Journey>> journey(String customerRef) {
    Optional<String> customerId = identities.customerOf(customerRef);
    if (customerId.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Shard shard = shardOf(customerId.get());
    CompletableFuture<Optional<Journey>> result = new CompletableFuture<>();
    shard.enqueue(session -> result.complete(session.journey(customerId.get())));
    return result;
  }

  @Override
  public List<TimelineStore.Entry> timeline(String customerId, long beforeSequence, int limit) {
    List<TimelineStore.Entry> all = new ArrayList<>(store.timeline().newestFirst(customerId, beforeSequence, limit));
    for (String merged : identities.mergedInto(customerId)) {
      all.addAll(store.timeline().newestFirst(merged, beforeSequence, limit));
    }
    all.sort(java.util.Comparator.comparingLong(TimelineStore.Entry::sequence).reversed());
    return all.size() > limit ? all.subList(0, limit) : all;
  }

  /**
   * The logged events received in {@code [from, to)}, in log order, at most {@code limit}; for a
   * shadow replay. Events older than the event retention are gone.
   *
   * @throws InvalidInputException when the range holds more than {@code limit}
   */
  public List<LoggedEvent> eventsBetween(Instant from, Instant to, int limit) {
    List<LoggedEvent> out = new ArrayList<>();
    long first = store.events().firstSequenceAtOrAfter(from.toEpochMilli());
    long end = store.events().firstSequenceAtOrAfter(to.toEpochMilli());
    Checks.checkArgument(end - first <= limit, "from %s to %s holds %d events, over the %d a replay may read: "
        + "narrow the range", from, to, end - first, limit);
    store.events().replay(first, le -> {
      if (le.sequence() < end && le.receivedAt() < to.toEpochMilli()) {
        out.add(le);
      }
    });
    return out;
  }

  @Override
  public RulePack rules() {
    return rules;
  }

  /**
   * Runs {@code next} instead of the current rules, on every shard, between two of its tasks: the
   * events queued before the swap run with the old rules, those after with the new, none twice and
   * none lost. Where {@link RulePack#change} allows, the rules change in place: those of unchanged
   * files keep their state and do not run again, the new ones run at once on every customer. Otherwise
   * journeys, this visit's asks and the raw events in memory move to a session of the new rules. Either
   * way an engagement already asked is not asked again. Completes once every shard has swapped.
   */
  public CompletableFuture<Void> reload(RulePack next) {
    synchronized (reloading) {
      // rule by rule, in place, where the change allows: no journey moves, so it takes milliseconds
      // whatever the number of customers; otherwise every customer moves to a session of the new pack
      Optional<RulePack.Change> change = RulePack.change(rules, next);
      List<CompletableFuture<Void>> swapped = new ArrayList<>(shards.length);
      for (Shard s : shards) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        swapped.add(done);
        s.enqueue(session -> {
          try {
            if (!changedInPlace(s, session, change, next)) {
              s.replaceSession(session.withRules(next, settings.policy().arbitrationWindow()));
            }
            done.complete(null);
          } catch (RuntimeException e) {
            LOG.error("shard {} could not swap in rules {}; it keeps running the previous ones", s.index(),
                next.version(), e);
            done.completeExceptionally(e);
          }
        });
      }
      rules = next;
      return CompletableFuture.allOf(swapped.toArray(CompletableFuture[]::new));
    }
  }

  @Override
  public int queuedEvents() {
    int n = 0;
    for (Shard s : shards) {
      n += s.queued();
    }
    return n;
  }

  /** How many shards the engine runs. */
  public int shardCount() {
    return shards.length;
  }

  /** Applies {@code change} to the shard's session; false when it must swap sessions instead. */
  private static boolean changedInPlace(Shard s, JourneySession session, Optional<RulePack.Change> change,
      RulePack next) {
    if (change.isEmpty()) {
      return false;
    }
    try {
      session.change(change.get());
      return true;
    } catch (RuntimeException e) {
      // its rule base may be half changed: a new session of the whole new pack replaces it
      LOG.warn("shard {} could not change its rules in place to {}, so it moves its customers: {}", s.index(),
          next.version(), e.toString());
      return false;
    }
  }

  /** Events and tasks waiting in one shard's queue, {@code 0 <= shard < shardCount()}. */
  public int queued(int shard) {
    Checks.checkArgument(shard >= 0 && shard < shards.length, "shard is %d, must be 0 to %d", shard,
        shards.length - 1);
    return shards[shard].queued();
  }

  /** The journey a shard holds for this exact customer id, with no identity lookup; for tests. */
  CompletableFuture<Optional<Journey>> journeyInSession(String customerId) {
    CompletableFuture<Optional<Journey>> result = new CompletableFuture<>();
    shardOf(customerId).enqueue(session -> result.complete(session.journey(customerId)));
    return result;
  }

  /** Runs the memory-only forgetting now instead of at the next minute; for tests. */
  void forgetEndedVisitsNow() {
    forgetEndedMemoryOnlyVisits();
  }

  /** The shard of a customer; for tests that need customers on different shards. */
  int shardIndexOf(String customerId) {
    return shardOf(customerId).index();
  }

  private Shard shardOf(String customerId) {
    return shards[shardIndex(customerId, shards.length)];
  }

  /** Stops taking events, finishes those queued and saves the journeys; the store stays open. */
  @Override
  public void close() {
    closed = true;
    housekeeping.shutdownNow();
    for (Shard s : shards) {
      s.stop(10_000);
    }
    Recovery r = restoring;
    if (r != null) {
      r.awaitEnd(10_000);
    }
  }
}
