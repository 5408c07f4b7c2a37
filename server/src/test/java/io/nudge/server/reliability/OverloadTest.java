package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Senders push far more than one shard can apply, into a server with a small heap: it answers 429 with
 * Retry-After instead of buffering, stays alive, and applies every event it accepted.
 */
final class OverloadTest {
  private static final int SENDERS = 6;
  private static final int BATCH = 2500;
  private static final int CUSTOMERS = 50;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void rateAboveCapacity_gets429s_heapStaysBounded_andEveryAcceptedEventIsApplied() throws Exception {
    Path data = TestSupport.tempDir().resolve("data");
    ServerProcess server = ServerProcess.start(data, ServerProcess.freePort(),
        Map.of("NUDGE_SHARDS", "1", "NUDGE_SHARD_QUEUE", Integer.toString(BATCH)), "256m");
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger tooMany = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    AtomicLong acceptedEvents = new AtomicLong();
    AtomicLong nextMessage = new AtomicLong();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
    List<Thread> senders = new ArrayList<>();
    try {
      for (int t = 0; t < SENDERS; t++) {
        Thread sender = new Thread(() -> {
          while (System.nanoTime() < until) {
            HttpResponse<String> r = post(server.base(), batch(nextMessage));
            if (r == null) {
              other.incrementAndGet();
            } else if (r.statusCode() == 200) {
              accepted.incrementAndGet();
              acceptedEvents.addAndGet(BATCH);
            } else if (r.statusCode() == 429) {
              assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
              tooMany.incrementAndGet();
            } else {
              other.incrementAndGet();
            }
          }
        });
        senders.add(sender);
        sender.start();
      }
      for (Thread sender : senders) {
        sender.join();
      }
      assertThat(server.isAlive()).as("the server survived with a 256 MB heap").isTrue();
      awaitDrained(server.base());
      long applied = 0;
      for (int c = 0; c < CUSTOMERS; c++) {
        JsonObject journey = get(server.base() + "/v1/customers/over-" + c).getJsonObject("journey");
        applied += journey == null ? 0 : journey.getInteger("pageViewsThisSession");
      }
      System.out.printf("overload: %d batches accepted (%d events), %d refused with 429, %d other; %d applied%n",
          accepted.get(), acceptedEvents.get(), tooMany.get(), other.get(), applied);
      assertThat(tooMany.get()).as("refused with 429").isPositive();
      assertThat(other.get()).as("no other answer than 200 or 429").isZero();
      assertThat(applied).as("every accepted event applied").isEqualTo(acceptedEvents.get());
    } finally {
      server.terminate();
    }
  }

  private static String batch(AtomicLong nextMessage) {
    StringBuilder b = new StringBuilder(BATCH * 110).append("{\"batch\":[");
    for (int i = 0; i < BATCH; i++) {
      long m = nextMessage.incrementAndGet();
      b.append(i == 0 ? "" : ",").append("{\"type\":\"page\",\"anonymousId\":\"over-").append(m % CUSTOMERS)
          .append("\",\"messageId\":\"om-").append(m).append("\",\"properties\":{\"path\":\"/p\"}}");
    }
    return b.append("]}").toString();
  }

  private static HttpResponse<String> post(String base, String body) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/batch"))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Basic " + Base64.getEncoder()
              .encodeToString((TestSupport.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      return null;
    }
  }

  private static void awaitDrained(String base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (new JsonObject(r.body()).getInteger("queued") == 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("queues not drained within 60 s");
  }

  private static JsonObject get(String url) throws Exception {
    return new JsonObject(CLIENT.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + TestSupport.ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body());
  }
}
