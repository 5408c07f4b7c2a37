package io.nudge.engine;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How the engine runs. Build with {@link #defaults()} and the {@code with...} methods.
 *
 * @param shards number of shards, each one thread and one rule session; one per core by default
 * @param queueCapacity events waiting per shard before {@link NudgeEngine#submit} refuses with
 *     {@link OverloadedException}
 * @param tick how often an idle shard moves its rule clock forward, so timers and absence rules
 *     fire on time without a new event
 * @param sessionTimeout a visit ends after this long without events
 * @param consentDefault what an unset purpose means
 * @param dedupeWindow message ids remembered per shard to drop repeats
 * @param clock the engine's clock; tests pass one they move by hand
 * @param eventRetention logged events older than this are removed, once no restart needs them
 * @param personalData trait and property names hashed or dropped before an event is written
 * @param journeyRetention a journey with no event for this long is purged, with its timeline
 * @param decisionRetention decisions (and their outcomes) older than this are purged
 * @param policy the contact policy the gate applies after consent
 * @param metrics what the engine reports as it works; {@link EngineMetrics#NONE} by default
 */
public record EngineSettings(
    int shards,
    int queueCapacity,
    Duration tick,
    Duration sessionTimeout,
    ConsentDefault consentDefault,
    int dedupeWindow,
    InstantSource clock,
    Duration eventRetention,
    io.nudge.engine.privacy.PersonalData personalData,
    Duration journeyRetention,
    Duration decisionRetention,
    io.nudge.engine.policy.ContactPolicy policy,
    EngineMetrics metrics) {

  public EngineSettings {
    Checks.checkArgument(shards >= 1 && shards <= 1024, "shards is %d, must be 1 to 1024", shards);
    Checks.checkArgument(queueCapacity >= 1, "queueCapacity is %d, must be at least 1", queueCapacity);
    Checks.checkArgument(tick.toMillis() >= 1, "tick is %s, must be at least 1 ms", tick);
    Checks.checkArgument(!sessionTimeout.isNegative() && !sessionTimeout.isZero(),
        "sessionTimeout is %s, must be positive", sessionTimeout);
    Checks.checkArgument(dedupeWindow >= 0, "dedupeWindow is %d, must not be negative", dedupeWindow);
    Objects.requireNonNull(consentDefault, "consentDefault");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(personalData, "personalData");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(metrics, "metrics");
    Checks.checkArgument(eventRetention.toMinutes() >= 1, "eventRetention is %s, must be at least a minute",
        eventRetention);
    Checks.checkArgument(journeyRetention.toMinutes() >= 1, "journeyRetention is %s, must be at least a minute",
        journeyRetention);
    Checks.checkArgument(decisionRetention.toMinutes() >= 1, "decisionRetention is %s, must be at least a minute",
        decisionRetention);
  }

  public static EngineSettings defaults() {
    return new EngineSettings(Runtime.getRuntime().availableProcessors(), 10_000, Duration.ofMillis(20),
        Duration.ofMinutes(30), ConsentDefault.OPT_IN, 100_000, InstantSource.system(), Duration.ofDays(7),
        io.nudge.engine.privacy.PersonalData.defaults(), Duration.ofDays(395), Duration.ofDays(395),
        io.nudge.engine.policy.ContactPolicy.defaults(), EngineMetrics.NONE);
  }

  public EngineSettings withShards(int n) {
    return new EngineSettings(n, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withQueueCapacity(int n) {
    return new EngineSettings(shards, n, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withTick(Duration d) {
    return new EngineSettings(shards, queueCapacity, d, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withSessionTimeout(Duration d) {
    return new EngineSettings(shards, queueCapacity, tick, d, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withConsentDefault(ConsentDefault c) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, c, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withDedupeWindow(int n) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, n, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withEventRetention(Duration d) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        d, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withPersonalData(io.nudge.engine.privacy.PersonalData p) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, p, journeyRetention, decisionRetention, policy, metrics);
  }

  public EngineSettings withClock(InstantSource c) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, c,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, metrics);
  }

  /** Journeys idle for {@code journeys} and decisions older than {@code decisions} are purged. */
  public EngineSettings withRetention(Duration journeys, Duration decisions) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeys, decisions, policy, metrics);
  }

  public EngineSettings withPolicy(io.nudge.engine.policy.ContactPolicy p) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, p, metrics);
  }

  /** The engine reports events, rule firings, decisions and store writes to {@code m}. */
  public EngineSettings withMetrics(EngineMetrics m) {
    return new EngineSettings(shards, queueCapacity, tick, sessionTimeout, consentDefault, dedupeWindow, clock,
        eventRetention, personalData, journeyRetention, decisionRetention, policy, m);
  }
}
