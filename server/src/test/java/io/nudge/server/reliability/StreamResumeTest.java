package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A chat system that was reading the stream when Nudge restarted resumes with no gap and no repeat. */
final class StreamResumeTest {
  private final ManualClock clock = new ManualClock();
  private final Path data = TestSupport.tempDir();

  private NudgeServer start() {
    return TestSupport.startServer(TestSupport.env(data), clock);
  }

  private static String cancelSearch(String customer) {
    return new JsonObject().put("anonymousId", customer).put("event", "Products Searched")
        .put("properties", new JsonObject().put("query", "cancel"))
        .put("context", new JsonObject().put("consent",
            new JsonObject().put("categoryPreferences", new JsonObject().put("callback", true)))).encode();
  }

  @Test
  void lastEventIdFromBeforeARestart_resumesWithWhatCameAfter() throws Exception {
    NudgeServer first = start();
    TestSupport.Client http = TestSupport.client(first);
    BlockingQueue<String> stream = http.openStream("/v1/engagements/stream", TestSupport.INTEGRATION);
    assertThat(http.postSegment("/v1/track", TestSupport.WRITE_KEY, cancelSearch("before")).statusCode())
        .isEqualTo(200);
    String seen = readId(stream);
    first.close();

    NudgeServer second = start();
    try {
      http = TestSupport.client(second);
      assertThat(http.postSegment("/v1/track", TestSupport.WRITE_KEY, cancelSearch("after")).statusCode())
          .isEqualTo(200);
      String missed = awaitDecision(http, "after");

      BlockingQueue<String> resumed = http.openStreamWith("/v1/engagements/stream", TestSupport.INTEGRATION,
          Map.of("Last-Event-ID", seen));

      assertThat(readId(resumed)).isEqualTo(missed);
      assertThat(resumed.poll(300, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
    } finally {
      second.close();
    }
  }

  /** The acknowledgement means durable; the rules run right after. */
  private static String awaitDecision(TestSupport.Client http, String customer) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      var r = http.get("/v1/customers/" + customer + "/decisions", TestSupport.ADMIN);
      if (r.statusCode() == 200 && !new JsonObject(r.body()).getJsonArray("decisions").isEmpty()) {
        return new JsonObject(r.body()).getJsonArray("decisions").getJsonObject(0).getString("engagementId");
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no decision for " + customer + " within 10 s");
  }

  private static String readId(BlockingQueue<String> stream) throws InterruptedException {
    List<String> lines = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = stream.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("id: ")) {
        String id = line.substring(4);
        // consume the rest of the frame
        while (!"".equals(line)) {
          line = stream.poll(1, TimeUnit.SECONDS);
          lines.add(line);
        }
        return id;
      }
    }
    throw new AssertionError("no engagement on the stream within 10 s");
  }
}
