package io.nudge.engine.shard;

import io.nudge.engine.Checks;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.DecisionListener;
import io.nudge.engine.EngineSettings;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.NudgeException;
import io.nudge.engine.OverloadedException;
import io.nudge.engine.Purpose;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.consent.ConsentStore;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.decision.MemoryDecisionLog;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.journey.JourneySession;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Customers spread over shards by a hash of their canonical id; each shard is one thread and one rule
 * session. Identity and consent live outside the shards, in thread-safe stores, so any thread can
 * route an event or change a choice.
 */
public final class ShardedEngine implements NudgeEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedEngine.class);

  private final EngineSettings settings;
  private final RulePack rules;
  private final Shard[] shards;
  private final IdentityRegistry identities;
  private final ConsentStore consent;
  private final DecisionLog decisions;
  private volatile boolean closed;

  private ShardedEngine(EngineSettings settings, RulePack rules, IdentityRegistry identities,
      ConsentStore consent, DecisionLog decisions, DecisionListener listener) {
    this.settings = settings;
    this.rules = rules;
    this.identities = identities;
    this.consent = consent;
    this.decisions = decisions;
    ConsentGate gate = new ConsentGate(consent, settings.consentDefault());
    Consumer<Decision> out = d -> {
      decisions.append(d);
      try {
        listener.onDecision(d);
      } catch (RuntimeException e) {
        LOG.error("decision listener failed for engagement {}", d.engagement().id(), e);
      }
    };
    this.shards = new Shard[settings.shards()];
    long start = settings.clock().millis();
    for (int i = 0; i < shards.length; i++) {
      JourneySession session = new JourneySession(rules, start, settings.sessionTimeout(), gate, out);
      shards[i] = new Shard(i, settings.queueCapacity(), session, settings.clock(),
          settings.tick().toMillis(), settings.dedupeWindow());
    }
  }

  /** Starts an engine whose stores live in memory. */
  public static ShardedEngine start(EngineSettings settings, RulePack rules, DecisionListener listener) {
    return start(settings, rules, listener, new IdentityRegistry(), new MemoryConsentStore(),
        new MemoryDecisionLog(1000));
  }

  public static ShardedEngine start(EngineSettings settings, RulePack rules, DecisionListener listener,
      IdentityRegistry identities, ConsentStore consent, DecisionLog decisions) {
    ShardedEngine engine = new ShardedEngine(settings, rules, identities, consent, decisions, listener);
    for (Shard s : engine.shards) {
      s.start();
    }
    return engine;
  }

  @Override
  public CompletableFuture<Void> submit(Event event) {
    if (closed) {
      throw new NudgeException("the engine is shutting down and takes no more events");
    }
    boolean alias = event.type() == Event.EventType.ALIAS && event.previousId() != null;
    Checks.checkArgument(!alias || event.userId() != null, "userId is required for alias");
    String customerId = alias
        ? identities.alias(event.previousId(), event.userId())
        : identities.resolve(event.anonymousId(), event.userId());
    Shard shard = shardOf(customerId);
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean queued = shard.offer(session -> {
      try {
        if (event.messageId() == null || shard.firstSight(event.source(), event.messageId())) {
          // stamped with when the customer chose, so a newer choice made through the API wins
          Instant chosen = event.timestamp().isAfter(settings.clock().instant())
              ? settings.clock().instant() : event.timestamp();
          recordConsent(customerId, event.context().consent(), "event", chosen);
          session.apply(customerId, event, settings.clock().millis());
        }
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    if (!queued) {
      throw overloaded(shard);
    }
    return done;
  }

  private OverloadedException overloaded(Shard shard) {
    return new OverloadedException("shard " + shard.index() + " has " + shard.queued()
        + " events queued, its limit of " + shard.capacity() + " (NUDGE_SHARD_QUEUE); retry later", 1);
  }

  @Override
  public void setConsent(String customerRef, Map<Purpose, Boolean> choices, String source) {
    recordConsent(identities.resolveAny(customerRef), choices, source, settings.clock().instant());
  }

  private void recordConsent(String customerId, Map<Purpose, Boolean> choices, String source, Instant at) {
    for (Map.Entry<Purpose, Boolean> c : choices.entrySet()) {
      consent.record(customerId, new ConsentRecord(c.getKey(), c.getValue(), source, at));
    }
  }

  @Override
  public Map<Purpose, ConsentRecord> consent(String customerRef) {
    return identities.customerOf(customerRef).map(consent::current).orElse(Map.of());
  }

  @Override
  public Optional<String> customerOf(String anyId) {
    return identities.customerOf(anyId);
  }

  /** The anonymousIds linked to a customer, so a visitor stream can find the customer's browsers. */
  public Set<String> anonymousIdsOf(String customerId) {
    return identities.anonymousIdsOf(customerId);
  }

  @Override
  public List<Decision> decisions(String customerRef) {
    return identities.customerOf(customerRef).map(decisions::forCustomer).orElse(List.of());
  }

  @Override
  public CompletableFuture<Optional<Journey>> journey(String customerRef) {
    Optional<String> customerId = identities.customerOf(customerRef);
    if (customerId.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Shard shard = shardOf(customerId.get());
    CompletableFuture<Optional<Journey>> result = new CompletableFuture<>();
    if (!shard.offer(session -> result.complete(session.journey(customerId.get())))) {
      throw overloaded(shard);
    }
    return result;
  }

  @Override
  public RulePack rules() {
    return rules;
  }

  @Override
  public int queuedEvents() {
    int n = 0;
    for (Shard s : shards) {
      n += s.queued();
    }
    return n;
  }

  private Shard shardOf(String customerId) {
    int h = customerId.hashCode();
    h ^= (h >>> 16);
    h *= 0x85ebca6b;
    h ^= (h >>> 13);
    return shards[Math.floorMod(h, shards.length)];
  }

  @Override
  public void close() {
    closed = true;
    for (Shard s : shards) {
      s.stop(10_000);
    }
  }
}
