package io.nudge.bench;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every figure of one run, written as the Markdown tables docs/benchmarks.md is made from. */
final class Report {
  /** One rule pack and population against the real server. */
  static final class Scenario {
    final String name;
    final int rules;
    final int customers;
    long startMillis;
    LoadGenerator.Result max;
    final List<Paced> paced = new ArrayList<>();
    LoadGenerator.Result reloading;
    long reloadMillis;
    int reloadStatus;
    String reloadFailure = "";
    long drainMillis;
    double heapPerJourney;
    long restartMillis;
    /** Main to the restarted server's shards caught up on what it restored; after ready. */
    long caughtUpMillis;

    Scenario(String name, int rules, int customers) {
      this.name = name;
      this.rules = rules;
      this.customers = customers;
    }
  }

  /** A paced run: {@code rate} events/s asked of the load generator, and what it measured. */
  record Paced(int rate, LoadGenerator.Result result) {}

  /** {@link IdleHeap} of the engine alone on one rule pack. */
  record Idle(int rules, int customers, IdleHeap.Result result) {}

  private final Settings settings;
  private final Instant started = Instant.now();
  LoadGenerator.Result bare;
  final List<Scenario> scenarios = new ArrayList<>();
  final List<Idle> idle = new ArrayList<>();
  final List<EngineComparison> engines = new ArrayList<>();

  Report(Settings settings) {
    this.settings = settings;
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Nudge benchmark results\n\n");
    b.append("- run: ").append(settings.smoke() ? "smoke" : "all").append(", started ").append(started).append('\n');
    b.append("- machine: ").append(host()).append(", ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
        .append(", Java ").append(System.getProperty("java.version")).append('\n');
    b.append("- server JVM: `").append(String.join(" ", settings.serverJvm())).append("`; load: ")
        .append(settings.connections()).append(" connections, batches of ").append(settings.batch())
        .append(", warm-up ").append(settings.warmUp().toSeconds()).append(" s, measured ")
        .append(settings.measured().toSeconds()).append(" s; seed ").append(settings.seed()).append("\n\n");
    b.append("## Ingest, as fast as the server answers\n\n");
    b.append("| scenario | accepted events/s | processed events/s | engagements/s | errors | server CPU "
        + "| heap max (MB) | bytes allocated per processed event | p50 / p95 / p99 / p99.9 ms |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    if (bare != null) {
      row(b, "bare ingest baseline", bare);
    }
    for (Scenario s : scenarios) {
      row(b, s.name, s.max);
    }
    latency(b);
    reload(b);
    b.append("\n## Memory, start-up and restart\n\n");
    b.append("| scenario | start-up to ready (ms) | heap per idle journey (bytes, after ")
        .append(settings.idleWait().toMinutes()).append(" min idle and a full GC) | restart to ready (ms) | restart to caught up (ms) "
            + "| backlog after the full-speed run drained in (ms) |\n|---|---|---|---|---|---|\n");
    for (Scenario s : scenarios) {
      b.append("| ").append(s.name).append(" | ").append(s.startMillis).append(" | ").append(f0(s.heapPerJourney))
          .append(" | ").append(s.restartMillis).append(" | ").append(s.caughtUpMillis).append(" | ")
          .append(s.drainMillis).append(" |\n");
    }
    idleJourneys(b);
    b.append("\n## Engine without HTTP against the naive engine\n\n");
    b.append("| rules | customers | engine events/s | naive events/s | ratio | measured by |\n"
        + "|---|---|---|---|---|---|\n");
    for (EngineComparison e : engines) {
      b.append("| ").append(e.rules()).append(" | ").append(e.customers()).append(" | ")
          .append(f0(e.engineEventsPerSecond())).append(" | ").append(f0(e.naiveEventsPerSecond())).append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", e.ratio())).append(" | ").append(e.how()).append(" |\n");
    }
    List<String> errors = new ArrayList<>();
    if (bare != null) {
      errors.addAll(bare.errorSamples());
    }
    for (Scenario s : scenarios) {
      errors.addAll(s.max.errorSamples());
      s.paced.forEach(p -> errors.addAll(p.result().errorSamples()));
      errors.addAll(s.reloading.errorSamples());
    }
    if (!errors.isEmpty()) {
      b.append("\n## First errors\n\n");
      errors.stream().limit(10).forEach(e -> b.append("- ").append(e.replace('\n', ' ')).append('\n'));
    }
    return b.toString();
  }

  private void latency(StringBuilder b) {
    b.append("\n## Latency when paced\n\n");
    b.append("| scenario | events/s asked | accepted events/s | processed events/s | errors | engagements "
        + "| bytes allocated per processed event | receipt to engagement p50 / p95 / p99 / p99.9 ms "
        + "| timer rules late by p50 / p95 / p99 / p99.9 ms |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Scenario s : scenarios) {
      for (Paced p : s.paced) {
        LoadGenerator.Result r = p.result();
        b.append("| ").append(s.name).append(" | ").append(f0(p.rate())).append(" | ")
            .append(f0(r.acceptedPerSecond())).append(" | ").append(orDash(r.processedPerSecond())).append(" | ")
            .append(r.errors()).append(" | ").append(r.engagements()).append(" | ")
            .append(orDash(r.allocatedBytesPerEvent())).append(" | ").append(percentiles(r.latencyMillis()))
            .append(" | ").append(percentiles(r.timerLatenessMillis())).append(" |\n");
      }
    }
  }

  private void reload(StringBuilder b) {
    b.append("\n## A rule reload under load, at ").append(f0(settings.latencyRates().get(0)))
        .append(" events/s\n\n");
    b.append("| scenario | reload (ms, HTTP status) | accepted events/s | errors during the reload run "
        + "| p99 ms during the reload run |\n|---|---|---|---|---|\n");
    for (Scenario s : scenarios) {
      b.append("| ").append(s.name).append(" | ").append(s.reloadMillis).append(" (").append(s.reloadStatus)
          .append(s.reloadFailure.isEmpty() ? "" : ": " + s.reloadFailure.replace('\n', ' ').replace('|', '/'))
          .append(") | ").append(f0(s.reloading.acceptedPerSecond())).append(" | ").append(s.reloading.errors())
          .append(" | ").append(s.reloading.latencyMillis().length == 0 ? "-" : f1(s.reloading.latencyMillis()[2]))
          .append(" |\n");
    }
  }

  private void idleJourneys(StringBuilder b) {
    b.append("\n## Heap per idle journey, the engine alone\n\n");
    b.append("| rules | customers | heap per idle journey (bytes; ").append(IdleHeap.EVENTS_PER_CUSTOMER)
        .append(" events each, their clock past the raw events' expiry, a full GC) | restart to every shard "
            + "answering (ms) | journeys restored |\n|---|---|---|---|---|\n");
    for (Idle i : idle) {
      b.append("| ").append(i.rules()).append(" | ").append(i.customers()).append(" | ")
          .append(f0(i.result().bytesPerJourney())).append(" | ").append(i.result().restartMillis()).append(" | ")
          .append(i.result().journeys()).append(" |\n");
    }
  }

  private static void row(StringBuilder b, String name, LoadGenerator.Result r) {
    b.append("| ").append(name).append(" | ").append(f0(r.acceptedPerSecond())).append(" | ")
        .append(orDash(r.processedPerSecond())).append(" | ")
        .append(r.latencyMillis().length == 0 && r.engagements() == 0 ? "-" : f1(r.engagementsPerSecond()))
        .append(" | ").append(r.errors()).append(" | ")
        .append(r.cpu() < 0 ? "-" : String.format(Locale.ROOT, "%.0f %%", r.cpu() * 100)).append(" | ")
        .append(r.heapMaxBytes() < 0 ? "-" : Long.toString(r.heapMaxBytes() >> 20)).append(" | ")
        .append(orDash(r.allocatedBytesPerEvent())).append(" | ").append(percentiles(r.latencyMillis())).append(" |\n");
  }

  private static String percentiles(double[] p) {
    if (p.length == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f", p[0], p[1], p[2], p[3]);
  }

  /** A figure that is -1 when it was not measured. */
  private static String orDash(double d) {
    return d < 0 ? "-" : f0(d);
  }

  private static String f0(double d) {
    return String.format(Locale.ROOT, "%,.0f", d);
  }

  private static String f1(double d) {
    return String.format(Locale.ROOT, "%,.1f", d);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown host";
    }
  }
}
