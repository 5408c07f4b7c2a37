package io.nudge.server.rules;

import io.nudge.engine.Decision;
import io.nudge.engine.RuleCompilationException;
import io.nudge.engine.RulePack;
import io.nudge.engine.RuleProblem;
import io.nudge.engine.scenario.Failure;
import io.nudge.engine.scenario.Report;
import io.nudge.engine.scenario.ScenarioRunner;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.engine.simulate.ShadowReplay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules folder, deployed: watched for saved changes, each change compiled off the shard threads
 * and swapped into the engine when it compiles, kept as the last good version when it does not.
 * Every deployed version is kept (hash, time, files) so a rollback can put the previous one back.
 * Thread-safe; deployments run one at a time.
 */
public final class RuleDeployment implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleDeployment.class);
  /** Saves come in bursts (an editor writes, renames, touches): wait this long after the last one. */
  static final long SETTLE_MILLIS = 150;
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}\\.(drl|dsl|dslr|drl\\.csv)");

  /** One deployed version. */
  public record Version(String version, Instant deployedAt, Map<String, String> files, String how) {}

  /** What is running, and what went wrong with the last attempt, if it failed. */
  public record Status(Version running, List<Version> history, List<RuleProblem> lastProblems,
      Instant lastAttemptAt) {}

  private final Path dir;
  private final ShardedEngine engine;
  /** Runs a pack: on this engine, or, on a cluster node, on every node's. */
  private final java.util.function.Function<RulePack, java.util.concurrent.CompletableFuture<Void>> reloader;
  private final InstantSource clock;
  private final List<Version> history = new ArrayList<>();
  private final RuleHistory saved;
  private final Map<String, long[]> counts = new ConcurrentHashMap<>();
  private final AtomicLong lastChange = new AtomicLong();
  private volatile List<RuleProblem> lastProblems = List.of();
  private volatile Instant lastAttemptAt;
  private final Thread watcher;
  private final WatchService watch;

  private RuleDeployment(Path dir, ShardedEngine engine, InstantSource clock, RuleHistory saved,
      java.util.function.Function<RulePack, java.util.concurrent.CompletableFuture<Void>> reloader) throws IOException {
    this.dir = dir;
    this.engine = engine;
    this.reloader = reloader;
    this.clock = clock;
    this.saved = saved;
    if (saved != null) {
      history.addAll(saved.load());
    }
    if (history.isEmpty() || !history.get(history.size() - 1).version().equals(engine.rules().version())) {
      record(new Version(engine.rules().version(), clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), engine.rules().files(), "start"));
    }
    this.watch = dir.getFileSystem().newWatchService();
    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.watcher = new Thread(this::watchLoop, "nudge-rules-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Starts watching {@code dir}, whose rules the engine runs now. */
  public static RuleDeployment watch(Path dir, ShardedEngine engine, InstantSource clock) {
    return watch(dir, engine, clock, null);
  }

  /**
   * Starts watching {@code dir}, and keeps the deployed versions in {@code historyFile} (null: in memory
   * only), so the history and a rollback survive a restart.
   */
  public static RuleDeployment watch(Path dir, ShardedEngine engine, InstantSource clock, Path historyFile) {
    return watch(dir, engine, clock, historyFile, engine::reload);
  }

  /**
   * As {@link #watch(Path, ShardedEngine, InstantSource, Path)}, deploying through {@code reloader}: a
   * cluster node's writes the pack to the cluster's rules topic, and completes once this node runs it.
   */
  public static RuleDeployment watch(Path dir, ShardedEngine engine, InstantSource clock, Path historyFile,
      java.util.function.Function<RulePack, java.util.concurrent.CompletableFuture<Void>> reloader) {
    try {
      return new RuleDeployment(dir, engine, clock, historyFile == null ? null : new RuleHistory(historyFile),
          reloader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch the rules folder " + dir, e);
    }
  }

  private void watchLoop() {
    try {
      while (true) {
        WatchKey key = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
          lastChange.set(System.nanoTime());
          continue;
        }
        long changed = lastChange.get();
        if (changed != 0 && System.nanoTime() - changed >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
          lastChange.compareAndSet(changed, 0);
          deployFolder("saved");
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the rules watcher stopped; saved rule files are no longer deployed until a restart", e);
    }
  }

  /** Compiles the folder and, when it compiles, runs it; returns the problems, empty when deployed. */
  public synchronized List<RuleProblem> deployFolder(String how) {
    lastAttemptAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    long started = System.nanoTime();
    RulePack pack;
    try {
      pack = RulePack.load(dir, engine.rules()); // only the changed files compile, where that suffices
    } catch (RuleCompilationException e) {
      lastProblems = e.problems();
      for (RuleProblem p : e.problems()) {
        LOG.warn("rules not deployed, the running version {} stays: {}", engine.rules().version(), p);
      }
      return e.problems();
    }
    if (pack.version().equals(engine.rules().version())) {
      lastProblems = List.of();
      return List.of();
    }
    long compiled = System.nanoTime();
    // the analysts' scenario files (tests/*.yaml) must pass before the rules go live
    Report report = ScenarioRunner.run(pack, dir);
    if (!report.failures().isEmpty()) { // a folder without scenario files has nothing to fail
      List<RuleProblem> failed = new ArrayList<>();
      for (Failure f : report.failures()) {
        failed.add(new RuleProblem(f.file(), 0, 0, "scenario " + (f.scenario() == null ? "file" : "\""
            + f.scenario() + "\"") + " failed:\n" + String.join("\n", f.lines())));
      }
      lastProblems = failed;
      LOG.warn("rules {} not deployed, {} of {} scenarios failed; the running version {} stays:\n{}",
          pack.version(), report.failures().size(), report.scenarios(), engine.rules().version(), report);
      return failed;
    }
    long tested = System.nanoTime();
    reloader.apply(pack).join();
    long applied = System.nanoTime();
    lastProblems = List.of();
    record(new Version(pack.version(), clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), pack.files(), how));
    LOG.info("rules {} deployed ({}): {} rules from {} files in {} ms (compiled in {} ms, {} scenarios in {} ms,"
        + " applied to the running sessions in {} ms)", pack.version(), how, pack.ruleNames().size(),
        pack.files().size(), millis(started, applied), millis(started, compiled), report.scenarios(),
        millis(compiled, tested), millis(tested, applied));
    return List.of();
  }

  private static long millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1_000_000;
  }

  /** Adds a deployed version to the history, and to the file when there is one. */
  private void record(Version v) {
    history.add(v);
    if (history.size() > RuleHistory.KEPT) {
      history.remove(0);
    }
    if (saved != null) {
      saved.save(history);
    }
  }

  /** Compiles {@code files} without deploying them. */
  public static List<RuleProblem> validate(Map<String, String> files) {
    try {
      RulePack.compile(files);
      return List.of();
    } catch (RuleCompilationException e) {
      return e.problems();
    }
  }

  /** Writes one file into the folder and deploys the folder; the file stays only when it deploys. */
  public synchronized List<RuleProblem> put(String name, String text) {
    checkName(name);
    Path file = dir.resolve(name);
    try {
      String before = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      Files.writeString(file, text, StandardCharsets.UTF_8);
      List<RuleProblem> problems = deployFolder("uploaded " + name);
      if (!problems.isEmpty()) {
        if (before == null) {
          Files.deleteIfExists(file);
        } else {
          Files.writeString(file, before, StandardCharsets.UTF_8);
        }
      }
      return problems;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Makes the folder hold {@code pack}, which the engine runs already, and records it as deployed: on a
   * cluster node, the pack another node deployed. So the folder, {@code GET /v1/rules}, an upload and a
   * rollback here all start from what the cluster runs, not from what this node last deployed.
   */
  public synchronized void adopt(RulePack pack, String how) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{drl,dsl,dslr,csv}")) {
      for (Path f : files) {
        if (!pack.files().containsKey(f.getFileName().toString())) {
          Files.delete(f);
        }
      }
      for (Map.Entry<String, String> f : pack.files().entrySet()) {
        Path file = dir.resolve(f.getKey());
        if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(f.getValue())) {
          Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rules folder " + dir, e);
    }
    lastChange.set(0); // running already: not deployed again by the watcher
    lastProblems = List.of();
    if (history.isEmpty() || !history.get(history.size() - 1).version().equals(pack.version())) {
      record(new Version(pack.version(), clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
          pack.files(), how));
    }
  }

  /** Puts the previous deployed version's files back in the folder and runs them. */
  public synchronized Version rollback() {
    if (history.size() < 2) {
      throw new IllegalStateException("there is no previous version to roll back to: only "
          + engine.rules().version() + " was deployed since the start");
    }
    Version previous = history.get(history.size() - 2);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{drl,dsl,dslr,csv}")) {
      for (Path f : files) {
        if (!previous.files().containsKey(f.getFileName().toString())) {
          Files.delete(f);
        }
      }
      for (Map.Entry<String, String> f : previous.files().entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rules folder " + dir, e);
    }
    lastChange.set(0); // deployed here, not again by the watcher
    List<RuleProblem> problems = deployFolder("rollback to " + previous.version());
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the previous version no longer compiles: " + problems.get(0));
    }
    return history.get(history.size() - 1);
  }

  /** The most events a shadow replay reads. */
  public static final int MAX_REPLAY_EVENTS = 200_000;

  /**
   * Replays the events logged in {@code [from, to)} through the running rules and a candidate: the
   * {@code files} given, or the rules folder as it is on disk when null. Nothing is sent or stored.
   */
  public ShadowReplay.Result simulate(Map<String, String> files, Instant from, Instant to,
      java.time.Duration sessionTimeout) {
    RulePack candidate = files == null ? RulePack.load(dir) : RulePack.compile(files);
    return ShadowReplay.compare(engine.rules(), candidate, engine.eventsBetween(from, to, MAX_REPLAY_EVENTS),
        sessionTimeout);
  }

  /** Counts a decision for its rule: sent (or downgraded) and suppressed, since the start. */
  public void count(Decision d) {
    long[] c = counts.computeIfAbsent(d.engagement().rule(), r -> new long[2]);
    synchronized (c) {
      c[d.sent() ? 0 : 1]++;
    }
  }

  /** Per rule: {sent, suppressed} since the start. */
  public Map<String, long[]> counts() {
    Map<String, long[]> out = new TreeMap<>();
    counts.forEach((rule, c) -> {
      synchronized (c) {
        out.put(rule, c.clone());
      }
    });
    return out;
  }

  public synchronized Status status() {
    return new Status(history.get(history.size() - 1), List.copyOf(history), lastProblems, lastAttemptAt);
  }

  static void checkName(String name) {
    if (!FILE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("file name \"" + name + "\" must be letters, digits, '-' or '_', "
          + "ending in .drl, .dsl, .dslr or .drl.csv");
    }
  }

  @Override
  public void close() {
    watcher.interrupt();
    try {
      watch.close();
    } catch (IOException e) {
      LOG.debug("closing the rules watcher", e);
    }
  }
}
