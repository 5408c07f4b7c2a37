package io.nudge.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nudge.engine.shard.ShardedEngine;
import io.nudge.kafka.TestBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three Nudge cluster nodes, each in a JVM of its own, on one Kafka broker, sending webhooks to a
 * receiver in this JVM. Shows that a node killed with SIGKILL in the middle of a stream loses no event
 * the cluster acknowledged, that every engagement reaches the webhook under one id (a re-sent one keeps
 * its id) with the customer's whole journey, and that a rule file deployed to one node while events
 * flow runs on every node. Each node's console is in {@code target/cluster-nodes/}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
final class ClusterProcessesTest {
  private static final int PARTITIONS = 6;
  private static final Set<Integer> ALL_PARTITIONS = IntStream.range(0, PARTITIONS).boxed()
      .collect(Collectors.toUnmodifiableSet());
  private static final Path LOGS = Path.of("target", "cluster-nodes").toAbsolutePath();
  private static final String WRITE_KEY = "wk_test";
  private static final String ADMIN = "Bearer adm_test";
  private static final String HELP_RULE = "help-after-browsing";

  /** Fires only if the customer's first page is still in their journey when /help arrives. */
  private static final String HELP_DRL = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "help-after-browsing" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/help", pageViewsThisSession >= 2 )
        not Offer( customerId == $c, rule == "help-after-browsing" )
      then
        nudge.tip("Help", "Ask us anything.");
      end
      """;

  private static final String FAQ_DRL = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "faq" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/faq" )
        not Offer( customerId == $c, rule == "faq" )
      then
        nudge.tip("FAQ", "The answers to common questions.");
      end
      """;

  private static TestBroker broker;
  private static Receiver receiver;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final List<Path> dirs = new ArrayList<>();
  private String prefix;

  @BeforeAll
  static void startBrokerAndReceiver() {
    broker = TestBroker.start();
    receiver = Receiver.start();
  }

  @AfterAll
  static void stopBrokerAndReceiver() {
    if (receiver != null) {
      receiver.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void newTopics() {
    prefix = "p" + System.nanoTime() + ".";
    receiver.clear();
  }

  @AfterEach
  void stopNodes() {
    // in parallel: each node saves its partitions and leaves the groups on SIGTERM
    List<Thread> stopping = new ArrayList<>();
    for (NodeProcess n : nodes.values()) {
      Thread t = new Thread(n::close, "stop-" + n.id());
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join(70_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    nodes.clear();
    dirs.forEach(ClusterProcessesTest::deleteTree);
    dirs.clear();
  }

  @Test
  void aNodeKilledMidStream_losesNoAcknowledgedEvent_andEveryEngagementIsDeliveredUnderOneId_withItsJourneyIntact() {
    startCluster("n1", "n2", "n3");
    NodeProcess n1 = nodes.get("n1");
    NodeProcess n2 = nodes.get("n2");
    NodeProcess n3 = nodes.get("n3");
    int customers = 300;

    // phase 1: every customer's first page, round-robin over the three nodes
    List<NodeProcess> all = List.of(n1, n2, n3);
    Set<String> firstAcknowledged = new TreeSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int from = 0, batch = 0; from < customers; from += 20, batch++) {
      List<Integer> ids = IntStream.range(from, Math.min(customers, from + 20)).boxed().toList();
      sendUntilAcknowledged(ids.stream().map(i -> page("c-" + i, "m-" + i + "-1", "/products/" + i)).toList(),
          all, batch % all.size(), deadline);
      ids.forEach(i -> firstAcknowledged.add("c-" + i));
    }

    // kill -9 right away: n2 saves nothing, may hold unsent webhooks and unrouted events
    n2.kill();
    long killed = System.nanoTime();

    // phase 2: every customer asks for help, on the nodes left; a request refused goes to the other one
    List<NodeProcess> left = List.of(n1, n3);
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int from = 0, batch = 0; from < customers; from += 20, batch++) {
      List<String> events = IntStream.range(from, Math.min(customers, from + 20))
          .mapToObj(i -> page("c-" + i, "m-" + i + "-2", "/help")).toList();
      sendUntilAcknowledged(events, left, batch % left.size(), deadline);
    }
    long phase2Done = System.nanoTime();

    Set<String> expected = IntStream.range(0, customers).mapToObj(i -> "c-" + i)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(firstAcknowledged).as("customers whose first page the cluster acknowledged").isEqualTo(expected);
    await(Duration.ofSeconds(120), () -> receiver.customers().containsAll(expected), () -> {
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(receiver.customers());
      return "an engagement for each of the " + customers + " customers within 120 s of the last /help; "
          + missing.size() + " have none, e.g. " + missing.stream().limit(15).toList() + logsHint()
          + problemsInLogs() + whatNodesSay(missing.stream().limit(2).toList(), n1, n3);
    });
    long allDelivered = System.nanoTime();

    JsonObject cluster = awaitCluster(n1, Set.of("n1", "n3"), Duration.ofSeconds(30));
    receiver.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30)); // late re-sends, before counting

    Map<String, List<Receiver.Delivery>> byCustomer = receiver.byCustomer();
    List<String> wrong = new ArrayList<>();
    Map<String, Integer> resent = new TreeMap<>();
    int deliveries = 0;
    for (String customer : expected) {
      List<Receiver.Delivery> got = byCustomer.getOrDefault(customer, List.of());
      deliveries += got.size();
      Set<String> ids = got.stream().map(Receiver.Delivery::webhookId).collect(Collectors.toCollection(TreeSet::new));
      if (ids.size() != 1) {
        wrong.add(customer + ": " + ids.size() + " engagement ids " + ids + " in " + got.size() + " deliveries");
      }
      for (String id : ids) {
        long times = got.stream().filter(d -> d.webhookId().equals(id)).count();
        if (times > 1) {
          resent.put(id + " (" + customer + ")", (int) times);
        }
      }
      String product = "/products/" + customer.substring(2);
      for (Receiver.Delivery d : got) {
        JsonObject e = d.body();
        JsonArray pages = e.getJsonObject("context", new JsonObject()).getJsonArray("pages", new JsonArray());
        if (!d.webhookId().equals(e.getString("id")) || !HELP_RULE.equals(e.getString("rule"))
            || !pages.contains(product) || !pages.contains("/help")) {
          wrong.add(customer + ": expected an engagement of rule " + HELP_RULE + " whose id is its webhook-id ("
              + d.webhookId() + ") and whose context pages hold " + product + " and /help, got " + e.encode());
        }
      }
    }
    Set<String> strangers = new TreeSet<>(byCustomer.keySet());
    strangers.removeAll(expected);
    String summary = String.format("kill of n2 to the last engagement delivered: %d ms (phase 2 sent %d ms "
        + "after the kill); %d deliveries of %d engagements, %d re-sent under their id: %s",
        (allDelivered - killed) / 1_000_000, (phase2Done - killed) / 1_000_000, deliveries, customers,
        resent.size(), resent);
    System.out.println("[ClusterProcessesTest] " + summary);

    assertThat(wrong).as("every customer has exactly one engagement id, of rule %s, with /products/<i> and "
        + "/help in its context pages; %s%s", HELP_RULE, summary, logsHint()).isEmpty();
    assertThat(strangers).as("engagements for customers nobody sent events for" + logsHint()).isEmpty();
    assertThat(ownership(cluster, Set.of("n1", "n3"))).as("n1 and n3 own every partition once between them "
        + "after n2's death, as GET /v1/cluster on n1 says: %s%s", cluster.encodePrettily(), logsHint())
        .isEqualTo(ALL_PARTITIONS.stream().sorted().toList());
  }

  @Test
  void aRuleDeploymentDuringLoad_reachesEveryNode() throws Exception {
    startCluster("n1", "n2", "n3");
    NodeProcess n1 = nodes.get("n1");
    NodeProcess n2 = nodes.get("n2");
    NodeProcess n3 = nodes.get("n3");
    List<NodeProcess> all = List.of(n1, n2, n3);
    String before = runningVersion(clusterStatus(n1));

    // ~200 events a second, round-robin over every node: batches of 10 every 50 ms
    List<String> senderErrors = new CopyOnWriteArrayList<>();
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    var load = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "background-sender"));
    load.scheduleAtFixedRate(() -> {
      int tick = sent.getAndIncrement();
      List<String> events = IntStream.range(0, 10).mapToObj(k -> {
        int n = tick * 10 + k;
        return page("bg-" + n % 400, "bg-" + n, "/products/" + n % 37);
      }).toList();
      NodeProcess to = all.get(tick % all.size());
      Answer a = post(to, events);
      if (a.status() == 200) {
        acknowledged.addAndGet(events.size());
      } else {
        senderErrors.add("batch " + tick + " to " + to.id() + ": " + a);
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
    String after;
    long put;
    long deployed;
    long everywhere;
    JsonObject cluster;
    try {
      await(Duration.ofSeconds(30), () -> acknowledged.get() >= 200,
          () -> "the background sender's first 200 events acknowledged within 30 s; errors " + senderErrors
              + logsHint());

      put = System.nanoTime();
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(n2.uri("/v1/rules/faq.drl"))
          .timeout(Duration.ofSeconds(90)).header("Authorization", ADMIN).header("Content-Type", "text/plain")
          .PUT(HttpRequest.BodyPublishers.ofString(FAQ_DRL)).build(), HttpResponse.BodyHandlers.ofString());
      deployed = System.nanoTime();
      assertThat(answer.statusCode()).as("PUT /v1/rules/faq.drl on n2 answers 200: %s%s", answer.body(), logsHint())
          .isEqualTo(200);
      after = new JsonObject(answer.body()).getString("version");
      assertThat(after).as("the version PUT /v1/rules/faq.drl deployed, from %s", answer.body())
          .isNotBlank().isNotEqualTo(before);

      String expected = after;
      long until = put + TimeUnit.SECONDS.toNanos(30);
      JsonObject[] last = {null};
      await(Duration.ofNanos(Math.max(0, until - System.nanoTime())), () -> {
        last[0] = clusterStatus(n1);
        return everyAliveNodeRuns(last[0], expected, Set.of("n1", "n2", "n3"));
      }, () -> "within 30 s of the PUT, GET /v1/cluster on n1 reports n1, n2 and n3 alive and running rules "
          + expected + " (before: " + before + "), got " + (last[0] == null ? null : last[0].encodePrettily())
          + logsHint());
      everywhere = System.nanoTime();
      cluster = last[0];
      // every node's folder and deployment history follow the cluster's pack, not only the one that took the PUT
      for (NodeProcess n : List.of(n1, n2, nodes.get("n3"))) {
        JsonObject[] rules = {null};
        await(Duration.ofSeconds(10), () -> {
          try {
            rules[0] = new JsonObject(get(n, "/v1/rules").body());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return expected.equals(rules[0].getString("version"));
        }, () -> "GET /v1/rules on " + n.id() + " reports " + expected + ", got " + rules[0] + logsHint());
      }
      int atDeployment = acknowledged.get();
      await(Duration.ofSeconds(10), () -> acknowledged.get() >= atDeployment + 100,
          () -> "the background sender goes on after the deployment: errors " + senderErrors + logsHint());
    } finally {
      load.shutdown(); // the batch under way finishes
      load.awaitTermination(20, TimeUnit.SECONDS);
    }
    System.out.printf("[ClusterProcessesTest] rules %s -> %s: PUT answered in %d ms, on every node %d ms after "
        + "the answer; %d background events acknowledged%n", before, after, (deployed - put) / 1_000_000,
        (everywhere - deployed) / 1_000_000,
        acknowledged.get());
    assertThat(senderErrors).as("requests of the background sender not answered 200 (%d events acknowledged)%s",
        acknowledged.get(), logsHint()).isEmpty();
    assertThat(versions(cluster)).as("versions running in the cluster").containsExactly(after);
    assertThat(cluster.getString("rulesTopic")).as("the version on the rules topic").isEqualTo(after);

    // the new rule decides on every node: a customer on each partition visits /faq
    Map<Integer, String> onPartition = new TreeMap<>();
    for (int i = 0; onPartition.size() < PARTITIONS; i++) {
      onPartition.putIfAbsent(ShardedEngine.shardIndex("faq-" + i, PARTITIONS), "faq-" + i);
    }
    sendUntilAcknowledged(onPartition.values().stream().map(c -> page(c, c + "-1", "/faq")).toList(), all, 0,
        System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    await(Duration.ofSeconds(30), () -> onPartition.values().stream().allMatch(c -> receiver.byCustomer()
        .getOrDefault(c, List.of()).stream().anyMatch(d -> "faq".equals(d.body().getString("rule")))),
        () -> "a webhook of rule faq for each of " + onPartition + " (partition: customer) within 30 s of their "
            + "/faq; got " + receiver.byCustomer().entrySet().stream().filter(e -> e.getKey().startsWith("faq-"))
                .toList() + " in a cluster reporting " + cluster.encodePrettily() + logsHint() + problemsInLogs());

    // a file uploaded through another node joins the cluster's pack: it does not replace faq.drl
    HttpResponse<String> second = http.send(HttpRequest.newBuilder(n1.uri("/v1/rules/returns.drl"))
        .timeout(Duration.ofSeconds(90)).header("Authorization", ADMIN).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString(FAQ_DRL.replace("faq", "returns"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(second.statusCode()).as("PUT /v1/rules/returns.drl on n1: %s%s", second.body(), logsHint())
        .isEqualTo(200);
    JsonObject[] onN3 = {null};
    await(Duration.ofSeconds(10), () -> {
      try {
        onN3[0] = new JsonObject(get(nodes.get("n3"), "/v1/rules").body());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return onN3[0].encode().contains("returns.drl");
    }, () -> "GET /v1/rules on n3 lists returns.drl, got " + onN3[0] + logsHint());
    assertThat(onN3[0].encode()).contains("faq.drl", "help.drl", "returns.drl");
  }

  // --- the cluster

  private void startCluster(String... ids) {
    for (String id : ids) {
      Path dir = tempDir("nudge-" + id + "-");
      Path data = dir.resolve("data");
      Path rules = dir.resolve("rules");
      try {
        Files.createDirectories(data);
        Files.createDirectories(rules);
        Files.writeString(rules.resolve("help.drl"), HELP_DRL, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, String> env = new TreeMap<>();
      env.put("NUDGE_KAFKA_BOOTSTRAP", broker.bootstrapServers());
      env.put("NUDGE_KAFKA_TOPIC_PREFIX", prefix);
      env.put("NUDGE_KAFKA_PARTITIONS", Integer.toString(PARTITIONS));
      env.put("NUDGE_NODE_ID", id);
      env.put("NUDGE_PORT", Integer.toString(NodeProcess.freePort()));
      env.put("NUDGE_HOST", "127.0.0.1");
      env.put("NUDGE_DATA_DIR", data.toString());
      env.put("NUDGE_RULES_DIR", rules.toString());
      env.put("NUDGE_WRITE_KEYS", WRITE_KEY);
      env.put("NUDGE_ADMIN_TOKEN", "adm_test");
      env.put("NUDGE_INTEGRATION_TOKEN", "int_test");
      env.put("NUDGE_WEBHOOK_URL", receiver.url());
      env.put("NUDGE_WEBHOOK_SECRET", "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=");
      env.put("NUDGE_WEBHOOK_RETRY_MIN", "200ms");
      env.put("NUDGE_CONSENT_DEFAULT", "opt-out");
      nodes.put(id, NodeProcess.launch(env, dir, LOGS.resolve(prefix + id + ".log")));
    }
    nodes.values().forEach(NodeProcess::awaitReady);
    awaitCluster(nodes.values().iterator().next(), Set.of(ids), Duration.ofSeconds(60));
  }

  /**
   * Waits until GET /v1/cluster on {@code asked} reports exactly {@code alive} alive and their
   * partitions are every partition once; returns that answer.
   */
  private JsonObject awaitCluster(NodeProcess asked, Set<String> alive, Duration timeout) {
    JsonObject[] last = {null};
    await(timeout, () -> {
      last[0] = clusterStatus(asked);
      return last[0] != null && aliveNodes(last[0]).equals(new TreeSet<>(alive))
          && ownership(last[0], alive).equals(ALL_PARTITIONS.stream().sorted().toList());
    }, () -> "GET /v1/cluster on " + asked.id() + " reports " + new TreeSet<>(alive) + " alive, owning partitions "
        + "0.." + (PARTITIONS - 1) + " once between them, within " + timeout.toSeconds() + " s; last answer "
        + (last[0] == null ? null : last[0].encodePrettily()) + logsHint());
    return last[0];
  }

  /** GET /v1/cluster; null when the node does not answer 200. */
  private JsonObject clusterStatus(NodeProcess node) {
    try {
      HttpResponse<String> r = get(node, "/v1/cluster");
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Set<String> aliveNodes(JsonObject cluster) {
    return cluster.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> n.getBoolean("alive", false)).map(n -> n.getString("node"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The partitions {@code of} the nodes report owning, sorted, each as often as it is reported. */
  private static List<Integer> ownership(JsonObject cluster, Set<String> of) {
    return cluster.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> of.contains(n.getString("node")))
        .flatMap(n -> n.getJsonArray("partitions").stream().map(p -> ((Number) p).intValue()))
        .sorted().toList();
  }

  private static boolean everyAliveNodeRuns(JsonObject cluster, String version, Set<String> alive) {
    return cluster != null && aliveNodes(cluster).equals(new TreeSet<>(alive))
        && cluster.getJsonArray("nodes").stream().map(JsonObject.class::cast)
            .filter(n -> n.getBoolean("alive", false)).allMatch(n -> version.equals(n.getString("rules")))
        && List.of(version).equals(versions(cluster))
        && version.equals(cluster.getString("rulesTopic"));
  }

  /** The rules versions the alive nodes run, as GET /v1/cluster says. */
  private static List<String> versions(JsonObject cluster) {
    return cluster.getJsonArray("rules").stream().map(String::valueOf).toList();
  }

  private static String runningVersion(JsonObject cluster) {
    List<String> versions = versions(cluster);
    assertThat(versions).as("one rules version runs in the new cluster: %s", cluster.encode()).hasSize(1);
    return versions.get(0);
  }

  // --- HTTP

  /** What a node answered, or why it did not (status -1). */
  record Answer(int status, String body) {
    @Override
    public String toString() {
      return status < 0 ? body : status + " " + body;
    }
  }

  private static String page(String anonymousId, String messageId, String path) {
    return new JsonObject().put("type", "page").put("anonymousId", anonymousId).put("messageId", messageId)
        .put("properties", new JsonObject().put("path", path)).encode();
  }

  private Answer post(NodeProcess node, List<String> events) {
    String body = "{\"batch\":[" + String.join(",", events) + "]}";
    HttpRequest request = HttpRequest.newBuilder(node.uri("/v1/batch")).timeout(Duration.ofSeconds(15))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, "interrupted");
    }
  }

  /**
   * Posts a batch to {@code targets[first]} and, each time it is not acknowledged (no answer, or not 200),
   * to the next node, until one answers 200 or {@code deadline} passes.
   */
  private void sendUntilAcknowledged(List<String> events, List<NodeProcess> targets, int first, long deadline) {
    List<String> refusals = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      NodeProcess to = targets.get((first + attempt) % targets.size());
      Answer a = post(to, events);
      if (a.status() == 200) {
        return;
      }
      refusals.add(to.id() + ": " + a);
      if (System.nanoTime() > deadline) {
        throw new AssertionError("a batch of " + events.size() + " events was not acknowledged by any of "
            + targets.stream().map(NodeProcess::id).toList() + " in time; answers " + refusals + logsHint());
      }
      pause(200);
    }
  }

  private HttpResponse<String> get(NodeProcess node, String path) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", ADMIN).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // --- waiting and reporting

  private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> expectation) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + expectation.get());
      }
      pause(100);
    }
  }

  private String logsHint() {
    return "; node logs: " + LOGS.resolve(prefix + "n*.log");
  }

  /** The nodes' logged errors and warnings (the first few of each), for a failure message. */
  private String problemsInLogs() {
    StringBuilder out = new StringBuilder();
    for (NodeProcess n : nodes.values()) {
      List<String> lines = Stream.concat(n.logLines(" ERROR ").stream(), n.logLines(" WARN ").stream()).toList();
      if (!lines.isEmpty()) {
        out.append("\n").append(n.id()).append(" logged ").append(lines.size()).append(" warnings or errors, e.g.:\n  ")
            .append(String.join("\n  ", lines.subList(0, Math.min(5, lines.size()))));
      }
    }
    return out.toString();
  }

  /** What each node answers about these customers' journeys and decisions, for a failure message. */
  private String whatNodesSay(List<String> customers, NodeProcess... asked) {
    StringBuilder out = new StringBuilder();
    for (String c : customers) {
      for (NodeProcess n : asked) {
        for (String what : List.of("journey", "decisions")) {
          String path = "/v1/customers/" + c + "/" + what;
          try {
            HttpResponse<String> r = get(n, path);
            out.append("\nGET ").append(path).append(" on ").append(n.id()).append(": ").append(r.statusCode())
                .append(' ').append(r.body(), 0, Math.min(r.body().length(), 1_500));
          } catch (IOException e) {
            out.append("\nGET ").append(path).append(" on ").append(n.id()).append(": ").append(e);
          }
        }
      }
    }
    return out.toString();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private Path tempDir(String name) {
    try {
      Path dir = Files.createTempDirectory(name);
      dirs.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  /** The operator's webhook receiver: records every POST's engagement and answers 200 at once. */
  static final class Receiver implements AutoCloseable {
    record Delivery(String webhookId, JsonObject body, long atNanos) {
      String customerId() {
        return body.getString("customerId", "?");
      }

      @Override
      public String toString() {
        return webhookId + " " + body.encode();
      }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private volatile long lastAt = System.nanoTime();

    private Receiver(HttpServer server, ExecutorService executor) {
      this.server = server;
      this.executor = executor;
    }

    static Receiver start() {
      try {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        ExecutorService executor = Executors.newFixedThreadPool(8);
        Receiver receiver = new Receiver(server, executor);
        server.createContext("/hook", receiver::handle);
        server.setExecutor(executor);
        server.start();
        return receiver;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange; InputStream in = exchange.getRequestBody()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        JsonObject engagement;
        try {
          // {"type": "engagement.created", "timestamp": ..., "data": <the engagement>}
          JsonObject envelope = new JsonObject(body);
          engagement = envelope.getValue("data") instanceof JsonObject data ? data
              : new JsonObject().put("unexpected", envelope);
        } catch (RuntimeException e) {
          engagement = new JsonObject().put("unreadable", body);
        }
        deliveries.add(new Delivery(exchange.getRequestHeaders().getFirst("webhook-id"), engagement,
            System.nanoTime()));
        lastAt = System.nanoTime();
        exchange.sendResponseHeaders(200, -1);
      }
    }

    void clear() {
      deliveries.clear();
    }

    Set<String> customers() {
      return deliveries.stream().map(Delivery::customerId).collect(Collectors.toSet());
    }

    Map<String, List<Delivery>> byCustomer() {
      return deliveries.stream().collect(Collectors.groupingBy(Delivery::customerId, TreeMap::new,
          Collectors.toList()));
    }

    /** Waits until nothing arrived for {@code quiet}, at most {@code max}. */
    void awaitQuiet(Duration quiet, Duration max) {
      long deadline = System.nanoTime() + max.toNanos();
      while (System.nanoTime() - lastAt < quiet.toNanos() && System.nanoTime() < deadline) {
        pause(100);
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
