package io.nudge.bench;

import io.nudge.engine.RulePack;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: events per second through the engine without HTTP ({@link #engine}: sharded, event log in
 * memory, gate and decisions included) and through the naive baseline ({@link #naive}: one session,
 * one thread), on the same rule pack and the same seeded population. One operation is one event.
 * {@code rulesDir} and {@code customers} are set by {@code Bench}; every customer is seen once in setup
 * so the figure is for active customers, not for first visits.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EngineBenchmark {
  static final int BATCH = 100;
  static final int BATCHES = 50;
  static final int NAIVE_EVENTS = 1000;

  @Param("rules")
  public String rulesDir;

  @Param("10000")
  public int customers;

  private EngineLoad.Engine engine;
  private NaiveEngine naive;
  private Population enginePopulation;
  private Population naivePopulation;

  @Setup(Level.Trial)
  public void setUp() {
    RulePack rules = RulePack.load(Path.of(rulesDir));
    engine = new EngineLoad.Engine(rules);
    naive = new NaiveEngine(rules, System.currentTimeMillis());
    enginePopulation = new Population(customers, 42, "jmh-engine");
    naivePopulation = new Population(customers, 42, "jmh-naive");
    int warm = Math.max(1, customers / BATCH);
    engine.run(enginePopulation, warm, BATCH);
    EngineLoad.runNaive(naive, naivePopulation, customers);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    naive.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH * BATCHES)
  public void engine() {
    engine.run(enginePopulation, BATCHES, BATCH);
  }

  @Benchmark
  @OperationsPerInvocation(NAIVE_EVENTS)
  public void naive() {
    EngineLoad.runNaive(naive, naivePopulation, NAIVE_EVENTS);
  }
}
