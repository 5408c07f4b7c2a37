package io.nudge.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a benchmark run does; {@link #parse} reads the command line.
 *
 * @param smoke seconds on a small population, engine figures measured directly instead of by JMH
 * @param customers active customers per scenario
 * @param rules rule packs: {@code default} (the pack as shipped) or a total number of rules
 * @param latencyRates events per second of each paced run, where latency is measured; the first is also the
 *     load of the run with a rule reload
 * @param idleWait how long the server sits idle before its heap per journey is read (raw events expire
 *     ten minutes after they arrive)
 * @param serverJvm options of the server's JVM (heap size, GC, JFR)
 */
record Settings(boolean smoke, List<Integer> customers, List<String> rules, Path rulesDir, Path out, long seed,
    int connections, int batch, Duration warmUp, Duration measured, List<Integer> latencyRates, Duration idleWait,
    List<String> serverJvm, int jmhForks, int jmhIterations, Duration jmhTime) {

  static final String USAGE = """
      usage: java -jar nudge-bench.jar all|smoke|engine|heap|paced|reload [options]
        (engine: only the engine and the naive engine in this JVM, each for --measure, to profile;
         paced: only the server's runs at full speed and at --latency-rates, to compare --server-jvm;
         reload: the server's run at full speed, then three reloads, each under a run at the first
         --latency-rates, to compare how rule files deploy;
         heap: the engine's heap per idle journey, its clock moved past the raw events' expiry, for
         each --customers; all and smoke measure it too, in this JVM, for the first --customers)
        --customers 10000,100000,1000000   active customers per scenario
        --rules default,100                rule packs: default, or a total number of rules
        --rules-dir rules                  the default rule pack
        --out bench/results.md             where the results go (Markdown)
        --seed 42                          the population's seed
        --connections 8                    concurrent senders, one connection each
        --batch 100                        events per POST /v1/batch
        --warmup 30s --measure 60s         each load run: warm-up, then measured
        --latency-rates 5000,20000         events/s of each paced run, where latency is measured; the
                                           first is also the load of the run with a rule reload
                                           (--latency-rate 5000: one rate)
        --idle-wait 11m                    idle time before heap per journey is read
        --server-jvm "-Xmx16g"             the server's JVM options (space separated)
        --jmh-forks 1 --jmh-iterations 5 --jmh-time 5s""";

  static Settings parse(String[] args) {
    if (args.length == 0 || !List.of("all", "smoke", "engine", "heap", "paced", "reload").contains(args[0])) {
      throw new IllegalArgumentException("the first argument must be all, smoke, engine, heap, paced or reload");
    }
    boolean smoke = args[0].equals("smoke");
    Map<String, String> o = new java.util.HashMap<>(smoke
        ? Map.ofEntries(Map.entry("customers", "1000"), Map.entry("rules", "default,20"), Map.entry("connections", "2"),
            Map.entry("batch", "50"), Map.entry("warmup", "1s"), Map.entry("measure", "2s"),
            Map.entry("latency-rates", "1000,2000"), Map.entry("idle-wait", "0s"), Map.entry("server-jvm", "-Xmx512m"),
            Map.entry("out", "target/bench-smoke.md"))
        : Map.ofEntries(Map.entry("customers", "10000,100000,1000000"), Map.entry("rules", "default,100"),
            Map.entry("connections", "8"), Map.entry("batch", "100"), Map.entry("warmup", "30s"),
            Map.entry("measure", "60s"), Map.entry("latency-rates", "5000,20000"), Map.entry("idle-wait", "11m"),
            Map.entry("server-jvm", "-Xmx16g"), Map.entry("out", "bench/results.md")));
    java.util.Set<String> given = new java.util.HashSet<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value: --name value");
      }
      given.add(args[i].substring(2));
      o.put(args[i].substring(2), args[i + 1]);
    }
    if (given.contains("latency-rate")) {
      if (given.contains("latency-rates")) {
        throw new IllegalArgumentException("--latency-rate and --latency-rates are both given; give one");
      }
      o.put("latency-rates", o.get("latency-rate"));
    }
    List<Integer> customers = new ArrayList<>();
    for (String c : o.get("customers").split(",")) {
      customers.add(number("customers", c.trim()));
    }
    List<Integer> latencyRates = new ArrayList<>();
    for (String r : o.get("latency-rates").split(",")) {
      int rate = number("latency-rates", r.trim());
      if (rate == 0) {
        throw new IllegalArgumentException("--latency-rates is \"" + o.get("latency-rates")
            + "\": each rate must be 1 event/s or more");
      }
      latencyRates.add(rate);
    }
    List<String> rules = Arrays.stream(o.get("rules").split(",")).map(String::trim).toList();
    for (String r : rules) {
      if (!r.equals("default")) {
        number("rules", r);
      }
    }
    return new Settings(smoke, customers, rules, Path.of(o.getOrDefault("rules-dir",
        System.getProperty("nudge.rules.dir", "rules"))), Path.of(o.get("out")), Long.parseLong(o.getOrDefault("seed",
        "42")), number("connections", o.get("connections")), number("batch", o.get("batch")),
        duration("warmup", o.get("warmup")), duration("measure", o.get("measure")),
        List.copyOf(latencyRates), duration("idle-wait", o.get("idle-wait")),
        Arrays.stream(o.get("server-jvm").split(" ")).filter(x -> !x.isBlank()).toList(),
        number("jmh-forks", o.getOrDefault("jmh-forks", "1")), number("jmh-iterations",
        o.getOrDefault("jmh-iterations", "5")), duration("jmh-time", o.getOrDefault("jmh-time", "5s")));
  }

  /** The load generator's options for one run against a server on {@code port}. */
  LoadGenerator.Options load(int port, int customers, String integration, String admin, int rate,
      Map<String, Duration> timerRules, boolean prime) {
    return new LoadGenerator.Options(URI.create("http://127.0.0.1:" + port), Bench.WRITE_KEY, integration, admin,
        customers, seed, batch, connections, rate, warmUp, measured, timerRules, prime);
  }

  private static int number(String name, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("--" + name + " is \"" + value + "\", not a whole number of 0 or more");
  }

  private static Duration duration(String name, String value) {
    try {
      if (value.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      }
      long n = Long.parseLong(value.substring(0, value.length() - 1));
      return switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("--" + name + " is \"" + value + "\", not a duration such as 500ms, 30s, 11m");
    }
  }
}
