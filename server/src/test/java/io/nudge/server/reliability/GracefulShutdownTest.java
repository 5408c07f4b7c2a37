package io.nudge.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SIGTERM drains, saves and exits promptly; the next start has nothing to apply again. */
final class GracefulShutdownTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void sigterm_savesEveryJourney_soTheNextStartAppliesNothingAgain() throws Exception {
    Path data = TestSupport.tempDir().resolve("data");
    int port = ServerProcess.freePort();
    ServerProcess first = ServerProcess.start(data, port, Map.of());
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 200; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"type\":\"page\",\"anonymousId\":\"g-").append(i % 20)
          .append("\",\"messageId\":\"gm-").append(i).append("\",\"properties\":{\"path\":\"/p/").append(i)
          .append("\"}}");
    }
    batch.append("]}");
    HttpResponse<String> sent = CLIENT.send(HttpRequest.newBuilder(URI.create(first.base() + "/v1/batch"))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((TestSupport.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(sent.statusCode()).isEqualTo(200);

    long stopping = System.nanoTime();
    int exit = first.terminate();

    assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(15));
    assertThat(exit).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    assertThat(first.output()).contains("Nudge stopped in ");

    ServerProcess second = ServerProcess.start(data, port, Map.of());
    try {
      HttpResponse<String> customer = CLIENT.send(HttpRequest.newBuilder(URI.create(second.base() + "/v1/customers/g-7"))
          .header("Authorization", "Bearer " + TestSupport.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(customer.body()).contains("\"pageViewsThisSession\":10");
      assertThat(second.output()).contains("restored 20 journeys").contains("(0 applied again)")
          .contains("Nudge caught up on the journeys and events it restored in ");
      assertThat(first.output() + second.output()).as("no token, key or customer id in the log")
          .doesNotContain(TestSupport.ADMIN, TestSupport.WRITE_KEY, TestSupport.INTEGRATION, "g-7", "/p/7");
    } finally {
      second.terminate();
    }
  }
}
