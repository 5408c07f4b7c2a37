package io.nudge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar bench/target/nudge-bench.jar all|smoke [options]}: runs the whole comparison and
 * writes the results as a Markdown file, the source of docs/benchmarks.md. {@code all} runs every
 * scenario with full durations; {@code smoke} the same code paths for a few seconds on a small
 * population (what CI runs). Options: see {@link Settings#parse}.
 */
public final class Bench {
  static final String WRITE_KEY = "wk_bench";
  static final String ADMIN = "adm_bench";
  static final String INTEGRATION = "int_bench";

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("cluster")) {
      ClusterThroughput.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(Settings.USAGE);
      System.exit(2);
      return;
    }
    if (args[0].equals("engine")) {
      engineOnly(settings);
      return;
    }
    if (args[0].equals("heap")) {
      idleHeap(settings);
      return;
    }
    if (args[0].equals("paced")) {
      pacedOnly(settings);
      return;
    }
    if (args[0].equals("reload")) {
      reloadOnly(settings);
      return;
    }
    Report report = run(settings);
    Files.writeString(settings.out(), report.markdown());
    System.out.println(report.markdown());
    System.out.println("written to " + settings.out());
  }

  /** Runs every part the settings ask for and returns what was measured. */
  static Report run(Settings s) throws Exception {
    Report report = new Report(s);
    Path work = Files.createTempDirectory("nudge-bench");
    System.out.println("bench: server logs and generated rules in " + work);
    List<RulePackGenerator.Pack> packs = packs(s, work);
    int firstCustomers = s.customers().get(0);
    System.out.println("bench: bare ingest baseline, " + firstCustomers + " customers");
    try (ServerProcess bare = ServerProcess.start(BareIngestServer.class.getName(), s.serverJvm(), Map.of(),
        work.resolve("bare.log"))) {
      report.bare = LoadGenerator.run(s.load(bare.port(), firstCustomers, null, null, 0, Map.of(), false));
    }
    for (RulePackGenerator.Pack pack : packs) {
      for (int customers : s.customers()) {
        report.scenarios.add(scenario(s, pack, customers, work));
      }
    }
    // the idle figure in minutes, where the server's needs --idle-wait: this JVM's heap, the server gone
    for (RulePackGenerator.Pack pack : packs) {
      System.out.println("bench: the engine's heap per idle journey and its restart, " + pack.rules() + " rules, "
          + firstCustomers + " customers");
      report.idle.add(new Report.Idle(pack.rules(), firstCustomers, IdleHeap.measure(
          io.nudge.engine.RulePack.load(pack.dir()), firstCustomers, IdleHeap.EVENTS_PER_CUSTOMER)));
    }
    for (RulePackGenerator.Pack pack : packs) {
      for (int customers : s.customers()) {
        System.out.println("bench: engine without HTTP and naive engine, " + pack.rules() + " rules, "
            + customers + " customers");
        report.engines.add(EngineComparison.run(s, pack, customers));
      }
    }
    return report;
  }

  /**
   * The engine and the naive engine in this JVM, each for the measured time after the warm-up, with
   * every figure printed: what to run under a profiler, for example with
   * {@code java -XX:StartFlightRecording=filename=engine.jfr -jar nudge-bench.jar engine}.
   */
  static void engineOnly(Settings s) throws IOException {
    for (RulePackGenerator.Pack pack : packs(s, Files.createTempDirectory("nudge-bench"))) {
      for (int customers : s.customers()) {
        EngineComparison c = EngineComparison.timed(pack, customers, s.warmUp(), s.measured());
        System.out.printf("%d rules, %d customers: engine %,.0f events/s, naive %,.0f events/s, ratio %.2f%n",
            c.rules(), c.customers(), c.engineEventsPerSecond(), c.naiveEventsPerSecond(), c.ratio());
      }
    }
  }

  /**
   * The server's load runs alone, at full speed and then at each paced rate, each after its warm-up, with
   * their figures printed: what to run when comparing JVM options ({@code --server-jvm}).
   */
  static void pacedOnly(Settings s) throws Exception {
    Path work = Files.createTempDirectory("nudge-bench");
    for (RulePackGenerator.Pack pack : packs(s, work)) {
      for (int customers : s.customers()) {
        Path data = work.resolve("data-" + pack.rules() + "-" + customers);
        try (ServerProcess server = ServerProcess.start("io.nudge.server.Main", s.serverJvm(), serverEnv(s, pack, data),
            work.resolve("nudge-" + pack.rules() + "-" + customers + ".log"))) {
          List<Integer> rates = new ArrayList<>(List.of(0)); // full speed first, as in all
          rates.addAll(s.latencyRates());
          for (int rate : rates) {
            LoadGenerator.Result r = LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN, rate,
                pack.timerRules(), false));
            awaitDrained(server.port());
            double[] l = r.latencyMillis().length == 4 ? r.latencyMillis() : new double[] {-1, -1, -1, -1};
            double[] t = r.timerLatenessMillis();
            System.out.printf("%d rules, %d customers, %s: processed %,.0f events/s, receipt to"
                + " engagement p50 / p95 / p99 / p99.9 %.1f / %.1f / %.1f / %.1f ms (%,d engagements),"
                + " timer rules late by %s, %,.0f bytes allocated per event%n", pack.rules(), customers,
                rate == 0 ? "full speed" : String.format("%,d events/s asked", rate), r.processedPerSecond(),
                l[0], l[1], l[2], l[3], r.engagements(), t.length == 4
                    ? String.format("p50 / p99 %.1f / %.1f ms", t[0], t[2]) : "- (none due in the run)",
                r.allocatedBytesPerEvent());
          }
        }
        deleteTree(data);
      }
    }
  }

  /**
   * The server's load at full speed (every customer arrives), then three reloads, each of another rule
   * file and under a run at the first paced rate, with their times printed: what to run when comparing
   * how rule files deploy. The server's log says how each reload's time divides.
   */
  static void reloadOnly(Settings s) throws Exception {
    Path work = Files.createTempDirectory("nudge-bench");
    for (RulePackGenerator.Pack pack : packs(s, work)) {
      for (int customers : s.customers()) {
        Path data = work.resolve("data-" + pack.rules() + "-" + customers);
        Path log = work.resolve("nudge-" + pack.rules() + "-" + customers + ".log");
        try (ServerProcess server = ServerProcess.start("io.nudge.server.Main", s.serverJvm(), serverEnv(s, pack, data),
            log)) {
          LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN, 0, pack.timerRules(), true));
          awaitDrained(server.port());
          int rate = s.latencyRates().get(0);
          for (int k = 1; k <= 3; k++) {
            Reload reload = new Reload(server.port(), s.warmUp().plus(s.measured().dividedBy(2)), k);
            reload.start();
            LoadGenerator.Result r = LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN, rate,
                pack.timerRules(), false));
            reload.join();
            awaitDrained(server.port());
            System.out.printf("%d rules, %d customers, reload %d under %,d events/s: %,d ms (HTTP %d%s), p99 of"
                + " the run %.1f ms%n", pack.rules(), customers, k, rate, reload.millis, reload.status,
                reload.failure.isEmpty() ? "" : ", " + reload.failure,
                r.latencyMillis().length == 4 ? r.latencyMillis()[2] : -1.0);
          }
        }
        try (java.util.stream.Stream<String> lines = Files.lines(log)) {
          lines.filter(l -> l.contains(" deployed (")).forEach(l -> System.out.println("server: " + l));
        }
        deleteTree(data);
      }
    }
  }

  /** {@link IdleHeap} for each rule pack and customer count, printed. */
  static void idleHeap(Settings s) throws IOException, InterruptedException {
    for (RulePackGenerator.Pack pack : packs(s, Files.createTempDirectory("nudge-bench"))) {
      for (int customers : s.customers()) {
        IdleHeap.Result r = IdleHeap.measure(io.nudge.engine.RulePack.load(pack.dir()), customers,
            IdleHeap.EVENTS_PER_CUSTOMER);
        System.out.printf("%d rules, %d customers, %d events each: %,.0f bytes of heap per idle journey;"
            + " restart on %,d journeys to every shard answering: %,d ms%n",
            pack.rules(), customers, IdleHeap.EVENTS_PER_CUSTOMER, r.bytesPerJourney(), r.journeys(),
            r.restartMillis());
      }
    }
  }

  /** The rule packs the settings name, each written to its own folder under {@code work}. */
  private static List<RulePackGenerator.Pack> packs(Settings s, Path work) throws IOException {
    List<RulePackGenerator.Pack> packs = new ArrayList<>();
    for (String r : s.rules()) {
      // a copy even of the default pack: the reload under load writes a file into the server's rules folder
      int total = r.equals("default") ? RulePackGenerator.defaults(s.rulesDir()).rules() : Integer.parseInt(r);
      packs.add(RulePackGenerator.generate(s.rulesDir(), total, work.resolve("rules-" + r)));
    }
    return packs;
  }

  private static Report.Scenario scenario(Settings s, RulePackGenerator.Pack pack, int customers, Path work)
      throws Exception {
    String name = pack.rules() + " rules, " + customers + " customers";
    Path data = work.resolve("data-" + pack.rules() + "-" + customers);
    Map<String, String> env = serverEnv(s, pack, data);
    Report.Scenario r = new Report.Scenario(name, pack.rules(), customers);
    System.out.println("bench: Nudge, " + name);
    try (ServerProcess server = ServerProcess.start("io.nudge.server.Main", s.serverJvm(), env,
        work.resolve("nudge-" + pack.rules() + "-" + customers + ".log"))) {
      r.startMillis = server.startMillis();
      server.collectGarbage();
      long emptyHeap = heap(server.port());
      r.max = LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN, 0, pack.timerRules(), true));
      r.drainMillis = awaitDrained(server.port()); // a backlog left by the full-speed run would skew latency
      for (int rate : s.latencyRates()) {
        // the times let a profile of the server (--server-jvm with JFR) be cut to the paced run
        System.out.println("bench: paced run at " + rate + " events/s from " + java.time.Instant.now());
        r.paced.add(new Report.Paced(rate, LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN,
            rate, pack.timerRules(), false))));
        System.out.println("bench: paced run ended at " + java.time.Instant.now());
        awaitDrained(server.port()); // nor a backlog left by a paced run faster than the server
      }
      // the reload in a run of its own, so its pause does not count in the latency figures above
      Reload reload = new Reload(server.port(), s.warmUp().plus(s.measured().dividedBy(2)));
      reload.start();
      r.reloading = LoadGenerator.run(s.load(server.port(), customers, INTEGRATION, ADMIN, s.latencyRates().get(0),
          pack.timerRules(), false));
      reload.join();
      r.reloadMillis = reload.millis;
      r.reloadStatus = reload.status;
      r.reloadFailure = reload.failure;
      awaitDrained(server.port());
      Thread.sleep(s.idleWait().toMillis()); // raw events expire ten minutes after they arrived
      server.collectGarbage();
      r.heapPerJourney = (heap(server.port()) - emptyHeap) / (double) customers;
    }
    try (ServerProcess again = ServerProcess.start("io.nudge.server.Main", s.serverJvm(), env,
        work.resolve("nudge-" + pack.rules() + "-" + customers + "-restart.log"))) {
      r.restartMillis = again.startMillis();
      r.caughtUpMillis = again.caughtUpMillis();
    }
    deleteTree(data); // a million journeys' store is gigabytes; the server logs stay in the work folder
    return r;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  static Map<String, String> serverEnv(Settings s, RulePackGenerator.Pack pack, Path data) throws IOException {
    Path policy = Files.createDirectories(data).resolve("bench-policy.yaml");
    // the default policy with no arbitration window: engagements are decided as the rule fires, so
    // receipt to engagement is the engine's own latency, not a wait the policy adds on purpose
    Files.writeString(policy, "arbitrationWindow: 0s\n");
    Map<String, String> env = new HashMap<>();
    env.put("NUDGE_HOST", "127.0.0.1");
    env.put("NUDGE_PORT", "0");
    env.put("NUDGE_DATA_DIR", data.toString());
    env.put("NUDGE_RULES_DIR", pack.dir().toString());
    env.put("NUDGE_POLICY_FILE", policy.toString());
    env.put("NUDGE_WRITE_KEYS", WRITE_KEY);
    env.put("NUDGE_ADMIN_TOKEN", ADMIN);
    env.put("NUDGE_INTEGRATION_TOKEN", INTEGRATION);
    env.put("NUDGE_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    env.put("NUDGE_RATE_LIMIT_PER_KEY", "0");
    env.put("NUDGE_RATE_LIMIT_PER_ADDRESS", "0");
    env.put("NUDGE_SHARD_QUEUE", "100000");
    return env;
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The server's heap in use, from /metrics. */
  static long heap(int port) throws IOException, InterruptedException {
    return (long) Prometheus.sum(metrics(port), "jvm_memory_used_bytes{area=\"heap\"");
  }

  /** Waits until every shard queue is empty (at most 30 minutes); returns how long that took. */
  static long awaitDrained(int port) throws IOException, InterruptedException {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MINUTES.toNanos(30);
    double queued;
    while ((queued = Prometheus.sum(metrics(port), "nudge_shard_queue_depth")) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server still has " + (long) queued + " events queued after 30 minutes");
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  private static Map<String, Double> metrics(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /metrics answered " + r.statusCode() + ": " + r.body());
    }
    return Prometheus.samples(r.body());
  }

  /** Uploads a rule file while the paced run goes on, and times the deployment. */
  private static final class Reload extends Thread {
    private final int port;
    private final Duration after;
    volatile long millis = -1;
    volatile int status;
    volatile String failure = "";

    private final int round;

    Reload(int port, Duration after) {
      this(port, after, 0);
    }

    /** {@code round} names the rule, so each round deploys a file of other content. */
    Reload(int port, Duration after, int round) {
      super("bench-reload");
      this.port = port;
      this.after = after;
      this.round = round;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        Thread.sleep(after.toMillis());
        String drl = "package nudge.rules;\nimport io.nudge.engine.facts.*;\n"
            + "global io.nudge.engine.facts.Actions nudge;\n"
            + "rule \"bench-reload" + (round == 0 ? "" : "-" + round) + "\""
            + " @reason(\"The benchmark reloaded its rules\") @dataUsed(\"one event\")\n"
            + "when\n  CustomerEvent( $c : customerId, name == \"Bench Reload\" )\nthen\n"
            + "  nudge.tip(\"reloaded\", \"reloaded\");\nend\n";
        long started = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/v1/rules/bench-reload.drl")).header("Authorization", "Bearer "
            + ADMIN).PUT(HttpRequest.BodyPublishers.ofString(drl)).build(), HttpResponse.BodyHandlers.ofString());
        millis = (System.nanoTime() - started) / 1_000_000;
        status = r.statusCode();
        if (status != 200) {
          failure = r.body();
        }
      } catch (IOException | InterruptedException e) {
        status = -1;
        failure = e.toString();
      }
    }
  }
}
