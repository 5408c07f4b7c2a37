package io.nudge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nudge.engine.Decision;
import io.nudge.engine.EngineMetrics;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.server.delivery.WebhookDelivery;
import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The engine's and the server's figures in a Micrometer registry, written out in Prometheus text
 * format by {@link MetricsRoutes}. Meters used once per event or firing are made once and kept (per
 * shard in an array, per rule, type and reason in maps), so counting allocates nothing on the hot path.
 */
public final class NudgeMetrics implements EngineMetrics, AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter accepted;
  private final Timer eventsWritten;
  private final Counter eventsWrittenCount;
  private final Timer journeysWritten;
  private final Map<String, Counter> firings = new ConcurrentHashMap<>();
  private final Map<Decision.Outcome, Map<String, Counter>> engagements = new EnumMap<>(Decision.Outcome.class);
  private final Map<String, Counter> suppressions = new ConcurrentHashMap<>();
  private volatile Timer[] processed = new Timer[0];

  private NudgeMetrics() {
    accepted = Counter.builder("nudge.events.accepted")
        .description("events accepted by the engine (written to the event log or, memory-only, queued)")
        .register(registry);
    eventsWritten = Timer.builder("nudge.store.write").tag("store", "events")
        .description("time to append a batch of events to the event log and make it durable").register(registry);
    eventsWrittenCount = Counter.builder("nudge.store.events.written")
        .description("events appended to the event log").register(registry);
    journeysWritten = Timer.builder("nudge.store.write").tag("store", "journeys")
        .description("time for a shard to save its changed journeys and checkpoint").register(registry);
    for (Decision.Outcome o : Decision.Outcome.values()) {
      engagements.put(o, new ConcurrentHashMap<>());
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    bindAllocation();
  }

  /**
   * Bytes the JVM's threads allocated on the heap since it started, exited threads included: with the
   * events processed, the benchmark's bytes per event. {@code jvm.gc.memory.allocated} moves only at
   * each young collection, too coarsely for a run of seconds.
   */
  private void bindAllocation() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      FunctionCounter.builder("jvm.memory.allocated", threads,
              com.sun.management.ThreadMXBean::getTotalThreadAllocatedBytes)
          .baseUnit(BaseUnits.BYTES)
          .description("bytes allocated on the heap by every thread since the JVM started").register(registry);
    }
  }

  /**
   * A registry with the JVM's memory, allocation, GC, thread, class loading, CPU and uptime meters bound.
   */
  public static NudgeMetrics create() {
    return new NudgeMetrics();
  }

  /** Adds the per-shard meters: queue depth (read at each scrape) and processing time. */
  public void bindEngine(ShardedEngine engine) {
    Timer[] timers = new Timer[engine.shardCount()];
    for (int i = 0; i < timers.length; i++) {
      String shard = Integer.toString(i);
      int index = i;
      Gauge.builder("nudge.shard.queue.depth", engine, e -> e.queued(index)).tag("shard", shard)
          .description("events and tasks waiting in the shard's queue").register(registry);
      timers[i] = Timer.builder("nudge.events.processed").tag("shard", shard)
          .description("events applied to the shard's rule session, rules included").register(registry);
    }
    processed = timers;
  }

  /** Adds the webhook meters, read from {@code webhooks} at each scrape. */
  public void bindWebhooks(WebhookDelivery webhooks) {
    FunctionCounter.builder("nudge.webhook.deliveries", webhooks, WebhookDelivery::delivered)
        .description("engagements the webhook receiver answered with a 2xx").register(registry);
    FunctionCounter.builder("nudge.webhook.retries", webhooks, WebhookDelivery::retries)
        .description("webhook attempts that failed and were scheduled again").register(registry);
    FunctionCounter.builder("nudge.webhook.dropped", webhooks, WebhookDelivery::dropped)
        .description("engagements refused by delivery: too many pending, or delivery closed").register(registry);
    Gauge.builder("nudge.webhook.pending", webhooks, WebhookDelivery::pending)
        .description("engagements accepted for the webhook and not delivered yet").register(registry);
  }

  @Override
  public void eventsAccepted(int count) {
    accepted.increment(count);
  }

  @Override
  public void eventProcessed(int shard, long nanos) {
    Timer[] timers = processed;
    if (shard < timers.length) { // events replayed at start-up run before the engine is bound
      timers[shard].record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void ruleFired(String rule) {
    Counter c = firings.get(rule);
    if (c == null) {
      c = firings.computeIfAbsent(rule, r -> Counter.builder("nudge.rule.firings").tag("rule", r)
          .description("times a rule's consequence ran").register(registry));
    }
    c.increment();
  }

  @Override
  public void decided(Decision d) {
    String type = d.engagement().type().id();
    Map<String, Counter> byType = engagements.get(d.outcome());
    Counter c = byType.get(type);
    if (c == null) {
      c = byType.computeIfAbsent(type, t -> Counter.builder("nudge.engagements").tag("type", t)
          .tag("outcome", d.outcome().id()).description("engagements decided, by type and outcome")
          .register(registry));
    }
    c.increment();
    if (d.outcome() == Decision.Outcome.SUPPRESSED) {
      Counter s = suppressions.get(d.reason());
      if (s == null) {
        s = suppressions.computeIfAbsent(d.reason(), r -> Counter.builder("nudge.suppressions").tag("reason", r)
            .description("engagements the gate suppressed, by reason").register(registry));
      }
      s.increment();
    }
  }

  @Override
  public void eventsWritten(int count, long nanos) {
    eventsWritten.record(nanos, TimeUnit.NANOSECONDS);
    eventsWrittenCount.increment(count);
  }

  @Override
  public void journeysSaved(int shard, int count, long nanos) {
    journeysWritten.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Every meter in Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops listening to the JVM's GC notifications. */
  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
