package io.nudge.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.facts.Journey;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fuzzes the ingestion and admin endpoints of one real server (port 0, RocksDB in a temp folder) with
 * generated requests ({@link FuzzCases}), checks every answer ({@link Invariants}), and at the end
 * that the server still takes and applies a plain event.
 *
 * <p>In CI it runs {@value #DEFAULT_CASES} cases with seed {@value #DEFAULT_SEED}. A longer run:
 * <pre>
 * mvn -B -o test -pl server -Dtest=EndpointFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dnudge.fuzz.cases=200000 -Dnudge.fuzz.seed=$RANDOM
 * </pre>
 * One failing case again, on its own: {@code -Dnudge.fuzz.seed=S -Dnudge.fuzz.case=N}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class EndpointFuzzTest {
  static final long DEFAULT_SEED = 20261123L;
  static final int DEFAULT_CASES = 3000;
  private static final Duration TIMEOUT = FuzzClient.TIMEOUT;
  private static final int PROBE_EVERY = 500;
  private static final int MAX_DISTINCT_FAILURES = 40;

  private NudgeServer server;
  private FuzzClient client;
  private FuzzCases cases;

  @BeforeAll
  void start() {
    server = TestSupport.startServer();
    client = new FuzzClient(server.port());
    cases = new FuzzCases(TestSupport.WRITE_KEY, TestSupport.ADMIN, TestSupport.INTEGRATION);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void fuzz_generatedRequests_neverBreakAnInvariantAndLeaveTheServerWorking() throws Exception {
    long seed = longProperty("nudge.fuzz.seed", DEFAULT_SEED);
    int count = (int) longProperty("nudge.fuzz.cases", DEFAULT_CASES);
    long only = longProperty("nudge.fuzz.case", -1);
    int from = only >= 0 ? (int) only : 0;
    int to = only >= 0 ? from + 1 : count;
    Run run = new Run(seed);
    for (int n = from; n < to && !run.aborted(); n++) {
      run.one(n);
      if ((n + 1) % PROBE_EVERY == 0 && !run.aborted()) {
        run.probe("after case " + n, 1);
      }
    }
    if (!run.dead) {
      run.probe("after the run", 8);
    }
    System.out.println(run.summary(to - from));
    if (!run.failures.isEmpty()) {
      System.out.println(run.report());
    }
    assertThat(run.failures).withFailMessage(run::report).isEmpty();
  }

  @Test
  void ingest_gzipBombOf10MbOfZeros_returns413() {
    byte[] bomb = Bytes.gzipZeros(10_000_000);
    assertThat(bomb.length).isBetween(1_000, 20_000);

    Answer a = client.answer(FuzzClient.post("/v1/batch", "gzip", bomb));

    assertThat(a.status()).isEqualTo(413);
    assertThat(utf8(a.body())).isEqualTo(
        "{\"error\":\"request body is over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES) once decompressed\"}");
  }

  @Test
  void ingest_oneMegabyteStringValue_returns413NotA5xx() {
    String big = "a".repeat(1_000_000);
    byte[] track = Bytes.utf8("{\"anonymousId\":\"big\",\"event\":\"e\",\"properties\":{\"note\":\"" + big + "\"}}");
    byte[] batch = Bytes.utf8("{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"big\",\"name\":\"" + big + "\"}]}");

    Answer plain = client.answer(FuzzClient.post("/v1/track", null, track));
    Answer gzipped = client.answer(FuzzClient.post("/v1/batch", "gzip", Bytes.gzip(batch)));
    Answer consent = client.answer(FuzzClient.putConsent("big", "application/json",
        Bytes.utf8("{\"proactive_chat\":\"" + big + "\"}")));

    assertThat(plain.status()).isEqualTo(413);
    assertThat(utf8(plain.body())).isEqualTo("{\"error\":\"request body is " + track.length
        + " bytes, over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES)\"}");
    assertThat(gzipped.status()).isEqualTo(413);
    assertThat(utf8(gzipped.body())).isEqualTo(
        "{\"error\":\"request body is over the 512000-byte limit (NUDGE_MAX_REQUEST_BYTES) once decompressed\"}");
    assertThat(consent.status()).isEqualTo(413);
    assertThat(utf8(consent.body())).isEqualTo("{\"error\":\"request body is over the size limit of this endpoint\"}");
  }

  @Test
  void ingest_nesting10000Deep_returns400() {
    String arrays = "[".repeat(10_000) + "]".repeat(10_000);
    String objects = "{\"a\":".repeat(9_999) + "{}" + "}".repeat(9_999);
    String tooDeep = "{\"error\":\"nesting is deeper than the 20-level limit (NUDGE_MAX_NESTING_DEPTH)\"";

    Answer single = client.answer(FuzzClient.post("/v1/track", null, Bytes.utf8(
        "{\"anonymousId\":\"deep\",\"event\":\"e\",\"properties\":{\"deep\":" + arrays + "}}")));
    Answer batch = client.answer(FuzzClient.post("/v1/batch", null, Bytes.utf8(
        "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"deep\",\"event\":\"e\",\"properties\":{\"deep\":"
            + objects + "}}]}")));

    assertThat(single.status()).isEqualTo(400);
    assertThat(utf8(single.body())).startsWith(tooDeep).contains("\"field\":\"properties.deep[0][0]");
    assertThat(batch.status()).isEqualTo(400);
    assertThat(utf8(batch.body())).startsWith(tooDeep).contains("\"field\":\"properties.deep.a.a.").endsWith(",\"index\":0}");
  }

  @Test
  void ingest_invalidUtf8InAString_returns400() {
    SoftAssertions soft = new SoftAssertions();
    for (byte[] bad : Bytes.INVALID_UTF8) {
      byte[] body = Bytes.replace(Bytes.utf8("{\"anonymousId\":\"utf\",\"event\":\"Form FUZZMARK Error\"}"),
          Bytes.utf8("FUZZMARK"), bad);

      Answer a = client.answer(FuzzClient.post("/v1/track", null, body));

      String as = java.util.HexFormat.of().formatHex(bad);
      soft.assertThat(a.status()).as(as).isEqualTo(400);
      soft.assertThat(utf8(a.body())).as(as).isEqualTo("{\"error\":\"body is not valid UTF-8\"}");
    }
    soft.assertAll();
  }

  @Test
  void ingest_duplicateKeys_returns400NamingTheKey() {
    Answer root = client.answer(FuzzClient.post("/v1/track", null,
        Bytes.utf8("{\"anonymousId\":\"a\",\"event\":\"e\",\"anonymousId\":\"b\"}")));
    Answer nested = client.answer(FuzzClient.post("/v1/batch", null, Bytes.utf8("{\"batch\":["
        + "{\"type\":\"page\",\"anonymousId\":\"a\"},"
        + "{\"type\":\"track\",\"anonymousId\":\"a\",\"event\":\"e\",\"properties\":{\"price\":1,\"price\":2}}]}")));
    Answer batchKey = client.answer(FuzzClient.post("/v1/batch", null, Bytes.utf8(
        "{\"batch\":[{\"type\":\"page\",\"anonymousId\":\"a\"}],\"batch\":[]}")));

    assertThat(root.status()).isEqualTo(400);
    assertThat(utf8(root.body())).isEqualTo("{\"error\":\"duplicate key \\\"anonymousId\\\"\",\"field\":\"anonymousId\"}");
    assertThat(nested.status()).isEqualTo(400);
    assertThat(utf8(nested.body())).isEqualTo(
        "{\"error\":\"duplicate key \\\"price\\\"\",\"field\":\"properties.price\",\"index\":1}");
    assertThat(batchKey.status()).isEqualTo(400);
    assertThat(utf8(batchKey.body())).isEqualTo("{\"error\":\"duplicate key \\\"batch\\\"\",\"field\":\"batch\"}");
  }

  /** Ids in any script, with control characters and URL metacharacters, go in by ingestion and come out by the admin API. */
  @Test
  void admin_customerIngestedWithAnyId_isFoundByThatId() {
    SoftAssertions soft = new SoftAssertions();
    for (String stem : SegmentPayloads.ID_STEMS) {
      String id = stem + "-round-trip";

      Answer in = client.answer(pageView(id, "/round-trip"));
      Answer out = client.answer(FuzzClient.get("/v1/customers/" + AdminCases.segment(id) + "/consent"));

      soft.assertThat(in.status()).as("ingest %s", id).isEqualTo(200);
      soft.assertThat(out.status()).as("GET consent of %s: %s", id, utf8(out.body())).isEqualTo(200);
      soft.assertThat(new io.vertx.core.json.JsonObject(utf8(out.body())).getString("customerId")).as(id).isEqualTo(id);
    }
    soft.assertAll();
  }

  /** One run's state: the histogram and the failures, grouped so one bug is reported once. */
  private final class Run {
    final long seed;
    final Map<Integer, Integer> statuses = new TreeMap<>();
    final Map<String, Integer> skipped = new TreeMap<>();
    final Map<String, String> failures = new LinkedHashMap<>();
    final Map<String, Integer> failureCounts = new LinkedHashMap<>();
    boolean dead;

    Run(long seed) {
      this.seed = seed;
    }

    boolean aborted() {
      return dead || failures.size() >= MAX_DISTINCT_FAILURES;
    }

    void one(int n) {
      FuzzCase c = cases.make(seed, n);
      Answer a;
      try {
        a = send(c);
      } catch (IllegalArgumentException e) {
        // java.net.http refuses some header values and paths; not the server's business
        skipped.merge("unsendable", 1, Integer::sum);
        return;
      } catch (TimeoutException e) {
        fail(n, c, "no answer within " + TIMEOUT.toSeconds() + " s");
        dead = !alive();
        return;
      } catch (IOException e) {
        fail(n, c, "connection failed: " + e);
        dead = !alive();
        return;
      }
      statuses.merge(a.status(), 1, Integer::sum);
      String violation = Invariants.violation(c, a);
      if (violation != null) {
        fail(n, c, violation);
      }
    }

    void fail(int n, FuzzCase c, String violation) {
      String key = c.strategy().replaceAll("[0-9]+", "#") + " | "
          + violation.substring(0, Math.min(violation.length(), 70)).replaceAll("[0-9]+", "#");
      failureCounts.merge(key, 1, Integer::sum);
      failures.computeIfAbsent(key, k -> "case " + n + ": " + violation + "\n" + c.describe()
          + "\n  again: -Dnudge.fuzz.seed=" + seed + " -Dnudge.fuzz.case=" + n);
    }

    /** A page view for each of {@code visitors} new visitors is accepted and applied, and the server is ready. */
    void probe(String when, int visitors) {
      try {
        for (int i = 0; i < visitors; i++) {
          String anon = "probe-" + seed + "-" + when.replace(' ', '-') + "-" + i;
          Answer a = send(pageView(anon, "/probe"));
          if (a.status() != 200) {
            failures.put("probe " + when, "a valid page view " + when + " answered " + a.status() + ": "
                + Invariants.text(a.body()));
            dead = true;
            return;
          }
          Optional<Journey> journey = server.engine().journey(anon).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          if (journey.isEmpty() || !"/probe".equals(journey.get().getCurrentPath())
              || journey.get().getPageViewsThisSession() != 1) {
            failures.put("probe " + when, "a page view accepted " + when + " was not applied: " + journey);
            dead = true;
            return;
          }
        }
        Answer ready = send(new FuzzCase("probe", FuzzCase.Target.OTHER, "GET", "/health/ready", List.of(),
            new byte[0], FuzzCase.Expect.status(200), false));
        if (ready.status() != 200) {
          failures.put("probe " + when, "/health/ready " + when + " answered " + ready.status());
          dead = true;
        }
      } catch (Exception e) {
        failures.put("probe " + when, "the server did not answer a valid page view " + when + ": " + e);
        dead = true;
      }
    }

    private boolean alive() {
      try {
        return send(new FuzzCase("liveness", FuzzCase.Target.OTHER, "GET", "/health/live", List.of(),
            new byte[0], FuzzCase.Expect.status(200), false)).status() == 200;
      } catch (Exception e) {
        return false;
      }
    }

    String summary(int n) {
      return "fuzz: " + n + " cases, seed " + seed + ", statuses " + statuses
          + (skipped.isEmpty() ? "" : ", not sent " + skipped);
    }

    String report() {
      StringBuilder s = new StringBuilder("fuzz: seed " + seed + ", " + failures.size()
          + " distinct failures" + (dead ? " (stopped: the server stopped answering or applying events)" : ""));
      failures.forEach((key, first) -> s.append("\n\n[").append(failureCounts.getOrDefault(key, 1))
          .append("x] ").append(first));
      return s.toString();
    }
  }

  static FuzzCase pageView(String anonymousId, String path) {
    String body = "{\"anonymousId\":" + Json.text(anonymousId) + ",\"properties\":{\"path\":" + Json.text(path) + "}}";
    return new FuzzCase("page view", FuzzCase.Target.INGEST, "POST", "/v1/page",
        FuzzCases.headers("Authorization", FuzzCases.basic(TestSupport.WRITE_KEY), "Content-Type", "application/json"),
        Bytes.utf8(body), FuzzCase.Expect.status(200), false);
  }

  Answer send(FuzzCase c) throws IOException, TimeoutException {
    return client.send(c);
  }

  static long longProperty(String name, long fallback) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is \"" + value + "\", not a whole number", e);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
