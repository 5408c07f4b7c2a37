package io.nudge.server;

import io.nudge.engine.NudgeException;
import io.nudge.server.config.ConfigException;
import io.nudge.server.config.NudgeConfig;
import java.time.InstantSource;

/**
 * {@code java -jar nudge-server.jar}: reads the configuration, starts Nudge, stops it on SIGTERM.
 * {@code java -jar nudge-server.jar test-rules [dir]} runs a rule pack's scenario files instead, and
 * {@code simulate} replays an exported event file through a candidate rules folder.
 */
public final class Main {
  private Main() {}

  /** A node of a cluster on Kafka: see {@link ClusterServer}. */
  private static void startClusterNode(io.nudge.kafka.ClusterSettings cluster, long started) {
    ClusterServer server = ClusterServer.start(NudgeConfig.fromEnvironment(), cluster,
        NudgeConfig.visitorKey(System.getenv()), InstantSource.system(), System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long stopping = System.nanoTime();
      server.close();
      System.out.printf("Nudge node %s stopped in %d ms%n", cluster.nodeId(), (System.nanoTime() - stopping) / 1_000_000);
    }, "nudge-shutdown"));
    NudgeConfig c = server.config();
    // one write, so a log line from another thread cannot cut it
    System.out.println(String.format("Nudge node %s is ready on %s://%s:%d in %d ms: roles %s, Kafka %s, topics %s*%s",
        cluster.nodeId(), c.tls().scheme(), c.host().equals("0.0.0.0") ? "localhost" : c.host(), server.port(),
        (System.nanoTime() - started) / 1_000_000, String.join(",", new java.util.TreeSet<>(cluster.roles())),
        cluster.bootstrap(), cluster.topicPrefix(),
        server.node().engine().map(e -> ", rules " + e.rules().version()).orElse("")));
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals(TestRulesCommand.NAME)) {
      System.exit(TestRulesCommand.run(java.util.List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    if (args.length > 0 && args[0].equals(SimulateCommand.NAME)) {
      System.exit(SimulateCommand.run(java.util.List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    long started = System.nanoTime();
    System.out.println(JvmOptions.describe());
    NudgeServer server;
    try {
      java.util.Optional<io.nudge.kafka.ClusterSettings> cluster = NudgeConfig.cluster(System.getenv());
      if (cluster.isPresent()) {
        try {
          startClusterNode(cluster.get(), started);
        } catch (ConfigException | NudgeException | IllegalStateException e) {
          throw e;
        } catch (RuntimeException | LinkageError e) {
          // a Kafka client that cannot start, a jar of another version: said, and the process ends
          System.err.println("nudge: could not join the cluster at " + cluster.get().bootstrap() + ": " + e);
          System.exit(2);
        }
        return;
      }
      server = NudgeServer.start(NudgeConfig.fromEnvironment(), InstantSource.system(), System.out);
    } catch (ConfigException | NudgeException | IllegalStateException e) {
      System.err.println("nudge: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long stopping = System.nanoTime();
      server.close();
      System.out.printf("Nudge stopped in %d ms%n", (System.nanoTime() - stopping) / 1_000_000);
    }, "nudge-shutdown"));
    NudgeConfig c = server.config();
    // one write, so a log line from another thread cannot cut it
    System.out.println(String.format("Nudge is ready on %s://%s:%d in %d ms: rules %s from %s (%d rules), data in %s",
        c.tls().scheme(), c.host().equals("0.0.0.0") ? "localhost" : c.host(), server.port(),
        (System.nanoTime() - started) / 1_000_000, server.engine().rules().version(), c.rulesDir(),
        server.engine().rules().ruleNames().size(), c.dataDir()));
    server.engine().recovered().thenRun(() -> System.out.println(String.format(
        "Nudge caught up on the journeys and events it restored in %d ms", (System.nanoTime() - started) / 1_000_000)));
  }
}
