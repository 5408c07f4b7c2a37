package io.nudge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bench cluster [nodes...] [--customers N] [--events E] [--partitions P]}: the processed-event
 * throughput of a Nudge cluster with 1, 2, 3... engine nodes (each with every role) as processes on
 * this machine, on a Kafka broker in this JVM.
 *
 * <p>Each customer sends {@code E - 1} product pages, then {@code /help}; a rule offers a tip at
 * {@code /help} once the journey holds two pages. The events go round by round (one event per customer
 * per round, so each customer's stay in order), spread over the nodes' ingest. Processed throughput
 * is all events over the time from the first send until every customer's decision is on the decisions
 * topic: ingest, admission, the engine and the decision, end to end.
 */
final class ClusterThroughput {
  private static final String RULE = """
      package nudge.bench;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-after-browsing" @reason("bench") @dataUsed("bench")
      when
        Journey( $c : customerId, currentPath == "/help", pageViewsThisSession >= 2 )
        not Offer( customerId == $c, rule == "help-after-browsing" )
      then
        nudge.tip("Help", "Ask us anything.");
      end
      """;

  private ClusterThroughput() {}

  static void main(String[] args) throws Exception {
    // the broker in this JVM writes thousands of lines at info; before slf4j reads its settings
    System.setProperty("org.slf4j.simpleLogger.log.kafka", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.state.change.logger", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    List<Integer> nodeCounts = new ArrayList<>();
    int customers = 20_000;
    int events = 5;
    int partitions = 6;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--customers" -> customers = Integer.parseInt(args[++i]);
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        default -> nodeCounts.add(Integer.parseInt(args[i]));
      }
    }
    if (nodeCounts.isEmpty()) {
      nodeCounts = List.of(1, 2, 3);
    }
    Path work = Files.createTempDirectory("nudge-cluster-bench");
    System.out.println("bench cluster: node logs in " + work);
    List<String> rows = new ArrayList<>();
    try (io.nudge.kafka.TestBroker broker = io.nudge.kafka.TestBroker.start()) {
      for (int n : nodeCounts) {
        rows.add(run(broker.bootstrapServers(), work, n, customers, events, partitions));
      }
    }
    System.out.println();
    System.out.println("| engine nodes | events | accepted/s | processed/s | all acknowledged | all decided | CPU of the nodes | CPU of the broker and load generator |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  private static String run(String bootstrap, Path work, int nodes, int customers, int events, int partitions)
      throws Exception {
    String prefix = "bench" + nodes + "-" + System.currentTimeMillis() + ".";
    Path rules = Files.createDirectories(work.resolve(prefix + "rules"));
    Files.writeString(rules.resolve("help.drl"), RULE);
    List<ServerProcess> servers = new ArrayList<>();
    try {
      for (int i = 1; i <= nodes; i++) {
        Map<String, String> env = new HashMap<>();
        env.put("NUDGE_KAFKA_BOOTSTRAP", bootstrap);
        env.put("NUDGE_KAFKA_TOPIC_PREFIX", prefix);
        env.put("NUDGE_KAFKA_PARTITIONS", Integer.toString(partitions));
        env.put("NUDGE_NODE_ID", "n" + i);
        env.put("NUDGE_PORT", "0");
        env.put("NUDGE_HOST", "127.0.0.1");
        env.put("NUDGE_DATA_DIR", Files.createDirectories(work.resolve(prefix + "n" + i)).toString());
        env.put("NUDGE_RULES_DIR", rules.toString());
        env.put("NUDGE_WRITE_KEYS", Bench.WRITE_KEY);
        env.put("NUDGE_ADMIN_TOKEN", Bench.ADMIN);
        env.put("NUDGE_INTEGRATION_TOKEN", Bench.INTEGRATION);
        env.put("NUDGE_WEBHOOK_SECRET", "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=");
        env.put("NUDGE_CONSENT_DEFAULT", "opt-out");
        env.put("NUDGE_RATE_LIMIT_PER_KEY", "0");
        env.put("NUDGE_RATE_LIMIT_PER_ADDRESS", "0");
        servers.add(ServerProcess.start("io.nudge.server.Main", List.of("-Xmx2g"), env,
            work.resolve(prefix + "n" + i + ".log")));
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      awaitPartitionsOwned(http, servers.get(0).port(), partitions, nodes);
      Set<String> decided = ConcurrentHashMap.newKeySet();
      AtomicLong lastDecision = new AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread reader = decisionsReader(bootstrap, prefix + "decisions", decided, lastDecision, reading);
      String auth = "Basic " + Base64.getEncoder().encodeToString((Bench.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
      double[] nodesCpuBefore = {cpuSeconds(servers)};
      double selfCpuBefore = cpuSeconds(ProcessHandle.current());
      long started = System.nanoTime();
      Semaphore inFlight = new Semaphore(16);
      AtomicLong errors = new AtomicLong();
      int perRequest = 50;
      int request = 0;
      for (int round = 0; round < events; round++) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int from = 0; from < customers; from += perRequest) {
          StringBuilder body = new StringBuilder("{\"batch\":[");
          for (int c = from; c < Math.min(customers, from + perRequest); c++) {
            String path = round == events - 1 ? "/help" : "/products/" + round;
            body.append(c == from ? "" : ",").append("{\"type\":\"page\",\"anonymousId\":\"c").append(c)
                .append("\",\"messageId\":\"").append(prefix).append(c).append('-').append(round)
                .append("\",\"properties\":{\"path\":\"").append(path).append("\"}}");
          }
          body.append("]}");
          int port = servers.get(request++ % servers.size()).port();
          inFlight.acquire();
          sent.add(send(http, port, auth, body.toString(), errors).whenComplete((r, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      }
      long acknowledged = System.nanoTime();
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (decided.size() < customers && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      reading.set(false);
      reader.join(10_000);
      double nodesCpu = cpuSeconds(servers) - nodesCpuBefore[0];
      double selfCpu = cpuSeconds(ProcessHandle.current()) - selfCpuBefore;
      double ackSeconds = (acknowledged - started) / 1e9;
      double doneSeconds = (lastDecision.get() - started) / 1e9;
      long total = (long) customers * events;
      System.out.printf("%d node(s): %d events acknowledged in %.1f s (%d errors), %d of %d customers decided in %.1f s; "
          + "CPU: nodes %.1f s, broker and load generator %.1f s%n",
          nodes, total, ackSeconds, errors.get(), decided.size(), customers, doneSeconds, nodesCpu, selfCpu);
      return String.format("| %d | %,d | %,.0f | %,.0f | %.1f s | %s | %.1f s (%,.0f events per CPU second) | %.1f s |",
          nodes, total, total / ackSeconds, decided.size() == customers ? total / doneSeconds : 0, ackSeconds,
          decided.size() == customers ? String.format("%.1f s", doneSeconds)
              : decided.size() + " of " + customers + " customers", nodesCpu, total / nodesCpu, selfCpu);
    } finally {
      for (ServerProcess s : servers) {
        s.close();
      }
    }
  }

  private static double cpuSeconds(List<ServerProcess> servers) {
    double sum = 0;
    for (ServerProcess s : servers) {
      sum += ProcessHandle.of(s.pid()).map(ClusterThroughput::cpuSeconds).orElse(0.0);
    }
    return sum;
  }

  private static double cpuSeconds(ProcessHandle p) {
    return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  /** Posts one batch; retried on a refusal (429, 5xx) until accepted. */
  private static CompletableFuture<Void> send(HttpClient http, int port, String auth, String body, AtomicLong errors) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
        .header("Authorization", auth).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(60)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenCompose(r -> {
      if (r.statusCode() == 200) {
        return CompletableFuture.completedFuture(null);
      }
      errors.incrementAndGet();
      return send(http, port, auth, body, errors);
    });
  }

  private static void awaitPartitionsOwned(HttpClient http, int port, int partitions, int nodes) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/cluster"))
        .header("Authorization", "Bearer " + Bench.ADMIN).build();
    while (System.nanoTime() < deadline) {
      String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
      int owned = 0;
      int alive = 0;
      for (var node : tree.get("nodes")) {
        if (node.get("alive").asBoolean()) {
          alive++;
          owned += node.get("partitions").size();
        }
      }
      if (alive == nodes && owned == partitions) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the " + nodes + " nodes did not own the " + partitions + " partitions within 2 minutes");
  }

  /** Counts the customers with a decision, from the start of the decisions topic. */
  private static Thread decisionsReader(String bootstrap, String topic, Set<String> decided, AtomicLong last,
      java.util.concurrent.atomic.AtomicBoolean reading) {
    Thread t = new Thread(() -> {
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrap);
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        List<TopicPartition> all = new ArrayList<>();
        for (PartitionInfo info : c.partitionsFor(topic)) {
          all.add(new TopicPartition(topic, info.partition()));
        }
        c.assign(all);
        c.seekToBeginning(all);
        while (reading.get()) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
            if (decided.add(new String(r.key(), StandardCharsets.UTF_8))) {
              last.set(System.nanoTime());
            }
          }
        }
      }
    }, "bench-decisions");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
