package io.nudge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Drives a running server over HTTP: {@code connections} senders, each with its own connection and
 * its own share of a seeded {@link Population}, post {@code POST /v1/batch} batches for a warm-up and
 * then a measured period, at a target rate or as fast as the server answers.
 *
 * <p>Receipt-to-engagement latency: each sender notes, per customer, when it sent the batch holding
 * that customer's latest event; a reader on {@code GET /v1/engagements/stream} takes each engagement
 * as it arrives and subtracts that time for the customer it names ({@code anonymousId}). The figure
 * therefore includes the request's trip to the server (an upper bound on receipt to engagement), and
 * would be too low if the customer sent another event between the trigger and the engagement. For
 * timer rules (an idle customer, say), lateness is measured from the event the rule's wait started
 * from, which the engagement names among the facts it matched ({@link #waitStartedAt}): its receipt
 * time plus the rule's delay is when the engagement was due, and the arrival on the stream, by the same
 * machine's wall clock, minus that is how late it came (the bench's policy has no arbitration window,
 * which would hold every engagement that long on purpose).
 *
 * <p>With an admin token it samples {@code GET /metrics} once a second: the server's CPU, heap and
 * the events it accepted and processed, and the bytes its threads allocated.
 */
public final class LoadGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run. {@code integrationToken} and {@code adminToken} are null for the bare baseline. */
  public record Options(URI server, String writeKey, String integrationToken, String adminToken, int customers,
      long seed, int batchSize, int connections, int eventsPerSecond, Duration warmUp, Duration measured,
      Map<String, Duration> timerRules, boolean prime) {

    public Options {
      check(customers >= connections, "customers is %d, must be at least the %d connections", customers, connections);
      check(batchSize >= 1, "batch size is %d, must be at least 1", batchSize);
      check(connections >= 1, "connections is %d, must be at least 1", connections);
      check(eventsPerSecond >= 0, "events per second is %d, must be 0 (as fast as possible) or more",
          eventsPerSecond);
      check(!measured.isZero() && !measured.isNegative(), "measured period is %s, must be positive", measured);
    }
  }

  /**
   * What a run measured, over the measured period only.
   *
   * @param latencyMillis p50, p95, p99 and p99.9 from sending the triggering event to the engagement on
   *     the stream, engagements of event rules; empty when none arrived
   * @param timerLatenessMillis the same percentiles of how late timer-rule engagements came after due
   * @param cpu the server's mean process CPU, 0 to 1 of all its cores; -1 without metrics
   * @param heapMaxBytes the highest heap use seen; -1 without metrics
   * @param allocatedBytesPerEvent bytes the server allocated on its heap over the measured period,
   *     divided by the events it processed in it; -1 without metrics or without a processed event
   */
  public record Result(long eventsSent, long eventsAccepted, long errors, double seconds, double acceptedPerSecond,
      double processedPerSecond, long engagements, double engagementsPerSecond, double[] latencyMillis,
      double[] timerLatenessMillis, double cpu, long heapMaxBytes, double allocatedBytesPerEvent,
      List<String> errorSamples) {}

  private final Options options;
  private final HttpClient client;
  private final AtomicLongArray lastSent;
  private final LongAdder sent = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final List<String> errorSamples = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Recorder latencies = new Recorder();
  private final Recorder lateness = new Recorder();
  private final LongAdder engagements = new LongAdder();
  private volatile boolean measuring;
  /**
   * When this run began sending, by the wall clock the server stamps events with (same machine): a
   * timer rule's wait started in the warm-up can end in the measured period, one an earlier run started
   * is not counted.
   */
  private volatile long runSince = Long.MAX_VALUE;
  private volatile boolean running = true;
  private java.util.concurrent.CountDownLatch primed;

  private LoadGenerator(Options options) {
    this.options = options;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.lastSent = new AtomicLongArray(options.customers());
  }

  /** Runs made in this JVM, in order; the same command numbers them the same way. */
  private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

  /** Runs the warm-up and the measured period, then stops every sender and the stream reader. */
  public static Result run(Options options) throws InterruptedException {
    return new LoadGenerator(options).run();
  }

  private Result run() throws InterruptedException {
    int run = RUNS.incrementAndGet();
    runSince = System.currentTimeMillis();
    if (options.integrationToken() != null) {
      openStream();
    }
    List<Thread> senders = new ArrayList<>();
    primed = new java.util.concurrent.CountDownLatch(options.connections());
    for (int w = 0; w < options.connections(); w++) {
      int n = options.connections();
      int share = options.customers() / n + (w < options.customers() % n ? 1 : 0);
      // message ids name the run: a second run of one seed sends the same events, which the server
      // would otherwise drop as repeats of the first run's (its de-duplication window remembers them)
      Population population = new Population(share, options.seed() + w, "r" + run + "s" + w, options.connections(), w);
      Thread t = new Thread(() -> send(population), "bench-sender-" + w);
      t.setDaemon(true);
      senders.add(t);
      t.start();
    }
    primed.await();
    Thread.sleep(options.warmUp().toMillis());
    MetricsSample first = sample();
    long sentBefore = sent.sum();
    long acceptedBefore = accepted.sum();
    long errorsBefore = errors.sum();
    long started = System.nanoTime();
    measuring = true;
    List<MetricsSample> samples = new ArrayList<>();
    long end = started + options.measured().toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      samples.add(sample());
    }
    measuring = false;
    double seconds = (System.nanoTime() - started) / 1e9;
    MetricsSample last = samples.get(samples.size() - 1);
    running = false;
    for (Thread t : senders) {
      t.join(30_000);
    }
    long acceptedN = accepted.sum() - acceptedBefore;
    double processed = first.processed() < 0 ? -1 : (last.processed() - first.processed()) / seconds;
    double cpu = samples.stream().mapToDouble(MetricsSample::cpu).filter(c -> c >= 0).average().orElse(-1);
    long heap = samples.stream().mapToLong(MetricsSample::heapBytes).max().orElse(-1);
    double processedN = last.processed() - first.processed();
    double perEvent = first.allocatedBytes() < 0 || last.allocatedBytes() < 0 || first.processed() < 0
        || processedN <= 0 ? -1 : (last.allocatedBytes() - first.allocatedBytes()) / processedN;
    return new Result(sent.sum() - sentBefore, acceptedN, errors.sum() - errorsBefore, seconds, acceptedN / seconds,
        processed, engagements.sum(), engagements.sum() / seconds, latencies.percentiles(), lateness.percentiles(),
        cpu, heap, perEvent, List.copyOf(errorSamples));
  }

  private void send(Population population) {
    String auth = "Basic " + Base64.getEncoder().encodeToString((options.writeKey() + ":")
        .getBytes(StandardCharsets.UTF_8));
    URI uri = options.server().resolve("/v1/batch");
    double perSender = options.eventsPerSecond() / (double) options.connections();
    long intervalNanos = perSender == 0 ? 0 : (long) (options.batchSize() * 1e9 / perSender);
    List<Population.Synthetic> batch = new ArrayList<>(options.batchSize());
    int unprimed = options.prime() ? population.customers() : 0;
    int primedSoFar = 0;
    if (unprimed == 0) {
      primed.countDown();
    }
    long next = System.nanoTime();
    while (running) {
      batch.clear();
      Instant now = Instant.now();
      for (int i = 0; i < options.batchSize(); i++) {
        batch.add(primedSoFar < unprimed ? population.first(primedSoFar++, now) : population.next(now));
      }
      if (unprimed > 0 && primedSoFar == unprimed) {
        primed.countDown(); // every customer of this sender has a journey; the warm-up starts when all do
        unprimed = 0;
        next = System.nanoTime();
      }
      String body = Population.batchJson(batch);
      HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", auth)
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      long at = System.nanoTime();
      for (Population.Synthetic s : batch) {
        lastSent.set(s.customer(), at);
      }
      boolean counted = measuring;
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (counted) {
          sent.add(batch.size());
          if (r.statusCode() == 200) {
            accepted.add(batch.size());
          } else {
            error("HTTP " + r.statusCode() + ": " + r.body());
          }
        }
      } catch (java.io.IOException e) {
        if (counted) {
          sent.add(batch.size());
          error(e.toString());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (intervalNanos > 0 && unprimed == 0) {
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupportSleep.nanos(wait);
        } else if (wait < -1_000_000_000L) {
          next = System.nanoTime(); // over a second behind: the server sets the pace, do not burst
        }
      }
    }
  }

  private void error(String what) {
    errors.increment();
    if (errorSamples.size() < 5) {
      errorSamples.add(what);
    }
  }

  private void openStream() throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(options.server().resolve("/v1/engagements/stream"))
        .header("Authorization", "Bearer " + options.integrationToken()).GET().build();
    java.util.concurrent.CompletableFuture<HttpResponse<Stream<String>>> response =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> r;
    try {
      r = response.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot open the engagement stream: " + e.getMessage(), e);
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the engagement stream answered " + r.statusCode());
    }
    Thread reader = new Thread(() -> {
      try (Stream<String> lines = r.body()) {
        lines.forEach(this::onStreamLine);
      } catch (RuntimeException e) {
        // closed when the run ends
      }
    }, "bench-stream");
    reader.setDaemon(true);
    reader.start();
  }

  private void onStreamLine(String line) {
    if (!line.startsWith("data:") || !measuring) {
      return;
    }
    long arrived = System.nanoTime();
    long arrivedMillis = System.currentTimeMillis();
    try {
      JsonNode e = JSON.readTree(line.substring(5));
      int c = Population.customerOf(e.path("anonymousId").asText(null));
      if (c < 0 || c >= lastSent.length()) {
        return;
      }
      engagements.increment();
      Duration delay = options.timerRules().get(e.path("rule").asText());
      if (delay != null) {
        // due the rule's delay after the event that started its wait, which the server names
        long waitStarted = waitStartedAt(e);
        if (waitStarted >= runSince) {
          lateness.record((arrivedMillis - waitStarted - delay.toMillis()) * 1_000_000L);
        }
        return;
      }
      long sent = lastSent.get(c);
      if (sent == 0) {
        return; // caused by an event of an earlier run: no time to measure from
      }
      latencies.record(arrived - sent);
    } catch (java.io.IOException e) {
      error("engagement stream sent a line that is not JSON: " + line);
    }
  }

  /**
   * When the newest event among the facts an engagement's rule matched was received, in epoch
   * milliseconds ({@code context.matched} lines read {@code event <type> ... at <instant>}); for an idle
   * rule, the event its wait started from. -1 when the engagement names no event.
   */
  static long waitStartedAt(JsonNode engagement) {
    long newest = -1;
    for (JsonNode line : engagement.path("context").path("matched")) {
      String text = line.asText("");
      int at = text.lastIndexOf(" at ");
      if (text.startsWith("event ") && at > 0) {
        try {
          newest = Math.max(newest, java.time.Instant.parse(text.substring(at + 4)).toEpochMilli());
        } catch (java.time.format.DateTimeParseException e) {
          // a path with " at " in it and no time after: not a line to measure from
        }
      }
    }
    return newest;
  }

  /** One read of the server's metrics; each figure -1 when the server does not have it. */
  private record MetricsSample(double cpu, long heapBytes, double processed, double allocatedBytes) {
    static final MetricsSample NONE = new MetricsSample(-1, -1, -1, -1);
  }

  private MetricsSample sample() {
    if (options.adminToken() == null) {
      return MetricsSample.NONE;
    }
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(options.server().resolve("/metrics"))
          .header("Authorization", "Bearer " + options.adminToken()).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        error("GET /metrics answered " + r.statusCode());
        return MetricsSample.NONE;
      }
      Map<String, Double> m = Prometheus.samples(r.body());
      return new MetricsSample(m.getOrDefault("process_cpu_usage", -1.0),
          (long) Prometheus.sum(m, "jvm_memory_used_bytes{area=\"heap\""),
          Prometheus.sum(m, "nudge_events_processed_seconds_count"),
          m.getOrDefault("jvm_memory_allocated_bytes_total", -1.0));
    } catch (java.io.IOException e) {
      error("GET /metrics failed: " + e);
      return MetricsSample.NONE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return MetricsSample.NONE;
    }
  }

  private static void check(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }

  /** Sleeps for a number of nanoseconds, waking early only when interrupted. */
  private static final class LockSupportSleep {
    static void nanos(long nanos) {
      java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }
  }
}
