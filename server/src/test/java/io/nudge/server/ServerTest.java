package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.facts.Journey;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class ServerTest {
  private NudgeServer server;
  private TestSupport.Client http;

  @BeforeEach
  void start() {
    server = TestSupport.startServer();
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void health_liveAndReady_answerWithoutCredentials() throws Exception {
    server.engine().recovered().get(5, java.util.concurrent.TimeUnit.SECONDS);
    HttpResponse<String> live = http.get("/health/live", null);
    HttpResponse<String> ready = http.get("/health/ready", null);

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("{\"status\":\"up\"}");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("{\"status\":\"ready\",\"rules\":\"" + server.engine().rules().version())
        .contains("\"recovering\":false");
  }

  @Test
  void sameMessageIdSentTwice_isProcessedOnce() throws Exception {
    String page = "{\"anonymousId\":\"dup-1\",\"messageId\":\"m-42\",\"properties\":{\"path\":\"/a\"}}";

    assertThat(http.postSegment("/v1/page", TestSupport.WRITE_KEY, page).statusCode()).isEqualTo(200);
    assertThat(http.postSegment("/v1/page", TestSupport.WRITE_KEY, page).statusCode()).isEqualTo(200);
    assertThat(http.postSegment("/v1/page", TestSupport.WRITE_KEY,
        "{\"anonymousId\":\"dup-1\",\"messageId\":\"m-43\",\"properties\":{\"path\":\"/b\"}}").statusCode())
        .isEqualTo(200);

    Optional<Journey> journey = server.engine().journey("dup-1").get(5, TimeUnit.SECONDS);
    assertThat(journey).get().extracting(Journey::getPageViewsThisSession).isEqualTo(2);
    assertThat(journey.get().getRecentPaths()).containsExactly("/a", "/b");
  }

  @Test
  void unknownPath_returns404Json() {
    HttpResponse<String> r = http.get("/v1/nothing-here", TestSupport.ADMIN);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"no route for GET /v1/nothing-here\"}");
  }

  @Test
  void wrongMethod_returns405Json() {
    HttpResponse<String> r = http.get("/v1/batch", null);

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.body()).isEqualTo("{\"error\":\"GET is not allowed on /v1/batch\"}");
  }
}
