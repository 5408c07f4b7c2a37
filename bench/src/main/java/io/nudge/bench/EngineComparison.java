package io.nudge.bench;

import io.nudge.engine.RulePack;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The engine without HTTP against the naive engine, same rules, same population: by JMH
 * ({@link EngineBenchmark}) in a full run, by running its code path once, timed, in a smoke run.
 *
 * @param engineEventsPerSecond events per second through the sharded engine
 * @param naiveEventsPerSecond events per second through the naive engine
 * @param how {@code JMH} or {@code direct (smoke)}
 */
record EngineComparison(int rules, int customers, double engineEventsPerSecond, double naiveEventsPerSecond,
    String how) {

  double ratio() {
    return engineEventsPerSecond / naiveEventsPerSecond;
  }

  static EngineComparison run(Settings s, RulePackGenerator.Pack pack, int customers) throws RunnerException {
    return s.smoke() ? direct(pack, customers) : jmh(s, pack, customers);
  }

  private static EngineComparison jmh(Settings s, RulePackGenerator.Pack pack, int customers) throws RunnerException {
    Options options = new OptionsBuilder().include(EngineBenchmark.class.getName() + ".")
        .param("rulesDir", pack.dir().toString()).param("customers", Integer.toString(customers))
        .forks(s.jmhForks()).warmupIterations(2).warmupTime(TimeValue.milliseconds(s.jmhTime().toMillis()))
        .measurementIterations(s.jmhIterations()).measurementTime(TimeValue.milliseconds(s.jmhTime().toMillis())).jvmArgsAppend(s.serverJvm()
        .toArray(String[]::new)).build();
    double engine = -1;
    double naive = -1;
    Collection<RunResult> results = new Runner(options).run();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      if (benchmark.endsWith(".engine")) {
        engine = r.getPrimaryResult().getScore();
      } else if (benchmark.endsWith(".naive")) {
        naive = r.getPrimaryResult().getScore();
      }
    }
    return new EngineComparison(pack.rules(), customers, engine, naive, "JMH");
  }

  /** Each engine primed with every customer, warmed up, then run for {@code measured}, timed. */
  static EngineComparison timed(RulePackGenerator.Pack pack, int customers, java.time.Duration warmUp,
      java.time.Duration measured) {
    RulePack rules = RulePack.load(pack.dir());
    double engineRate;
    try (EngineLoad.Engine engine = new EngineLoad.Engine(rules)) {
      Population p = new Population(customers, 42, "timed-engine");
      engine.run(p, Math.max(1, customers / EngineBenchmark.BATCH), EngineBenchmark.BATCH);
      engineRate = timed(warmUp, measured, () -> {
        engine.run(p, EngineBenchmark.BATCHES, EngineBenchmark.BATCH);
        return EngineBenchmark.BATCHES * EngineBenchmark.BATCH;
      });
    }
    double naiveRate;
    try (NaiveEngine naive = new NaiveEngine(rules, System.currentTimeMillis())) {
      Population p = new Population(customers, 42, "timed-naive");
      EngineLoad.runNaive(naive, p, customers);
      naiveRate = timed(warmUp, measured, () -> {
        EngineLoad.runNaive(naive, p, EngineBenchmark.NAIVE_EVENTS);
        return EngineBenchmark.NAIVE_EVENTS;
      });
    }
    return new EngineComparison(pack.rules(), customers, engineRate, naiveRate, "timed");
  }

  /** Runs {@code step} (which returns the events it applied) for the warm-up, then counts for the measured time. */
  private static double timed(java.time.Duration warmUp, java.time.Duration measured,
      java.util.function.IntSupplier step) {
    long warmEnd = System.nanoTime() + warmUp.toNanos();
    while (System.nanoTime() < warmEnd) {
      step.getAsInt();
    }
    long started = System.nanoTime();
    long end = started + measured.toNanos();
    long events = 0;
    while (System.nanoTime() < end) {
      events += step.getAsInt();
    }
    return events / ((System.nanoTime() - started) / 1e9);
  }

  /** The benchmark's code path once: prime every customer, then time a fixed number of events. */
  static EngineComparison direct(RulePackGenerator.Pack pack, int customers) {
    RulePack rules = RulePack.load(pack.dir());
    double engineRate;
    try (EngineLoad.Engine engine = new EngineLoad.Engine(rules)) {
      Population p = new Population(customers, 42, "direct-engine");
      engine.run(p, Math.max(1, customers / EngineBenchmark.BATCH), EngineBenchmark.BATCH);
      long started = System.nanoTime();
      engine.run(p, EngineBenchmark.BATCHES, EngineBenchmark.BATCH);
      engineRate = EngineBenchmark.BATCHES * EngineBenchmark.BATCH / ((System.nanoTime() - started) / 1e9);
    }
    double naiveRate;
    try (NaiveEngine naive = new NaiveEngine(rules, System.currentTimeMillis())) {
      Population p = new Population(customers, 42, "direct-naive");
      EngineLoad.runNaive(naive, p, customers);
      long started = System.nanoTime();
      EngineLoad.runNaive(naive, p, EngineBenchmark.NAIVE_EVENTS);
      naiveRate = EngineBenchmark.NAIVE_EVENTS / ((System.nanoTime() - started) / 1e9);
    }
    return new EngineComparison(pack.rules(), customers, engineRate, naiveRate, "direct (smoke)");
  }
}
