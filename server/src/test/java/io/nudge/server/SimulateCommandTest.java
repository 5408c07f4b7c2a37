package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events exported from a running Nudge ({@code GET /v1/events}) replay offline through a candidate rules
 * folder: {@code java -jar nudge-server.jar simulate --candidate <dir> --events <file>}.
 */
class SimulateCommandTest {
  private static final Path RULES = Path.of(System.getProperty("nudge.rules.dir", "../rules"));
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private NudgeServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private int simulate(String... args) {
    return SimulateCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void exportedEventsReplayThroughACandidateWithoutARule_andShowWhatItWouldNoLongerOffer() throws IOException {
    server = TestSupport.startServer();
    TestSupport.Client client = TestSupport.client(server);
    String consent = "\"context\": {\"consent\": {\"categoryPreferences\": {\"callback\": true}}}";
    assertThat(client.postSegment("/v1/batch", TestSupport.WRITE_KEY, "{\"batch\": ["
        + "{\"type\": \"track\", \"anonymousId\": \"sim-1\", \"messageId\": \"s1\", \"event\": \"Products Searched\","
        + " \"properties\": {\"query\": \"cancel my plan\"}, " + consent + "},"
        + "{\"type\": \"page\", \"anonymousId\": \"sim-2\", \"messageId\": \"s2\", \"properties\": {\"path\": \"/home\"},"
        + " \"context\": {\"page\": {\"path\": \"/home\"}}}]}").statusCode()).isEqualTo(200);

    HttpResponse<String> export = client.get("/v1/events?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z",
        TestSupport.ADMIN);
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Type")).hasValue("application/x-ndjson; charset=utf-8");
    assertThat(export.body().lines()).hasSize(2).allSatisfy(line -> new JsonObject(line));
    Path events = Files.writeString(Files.createTempFile("events", ".ndjson"), export.body());
    Path candidate = copyOfRulesWithout("cancel-intent.dslr");

    int code = simulate("--candidate", candidate.toString(), "--events", events.toString(),
        "--current", RULES.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Replayed 2 events").contains("nothing was sent")
        .containsPattern("cancel-intent\\s+0\\s+1\\s+sim-1");

    out.reset();
    assertThat(simulate("--candidate", candidate.toString(), "--events", events.toString(),
        "--current", RULES.toString(), "--json")).isZero();
    JsonObject json = new JsonObject(out.toString());
    assertThat(json.getInteger("events")).isEqualTo(2);
    assertThat(json.getJsonArray("changes").getJsonObject(0).getMap())
        .containsEntry("rule", "cancel-intent").containsEntry("removed", 1);
  }

  @Test
  void aMalformedLineIsNamedWithItsLineNumber() throws IOException {
    Path events = Files.writeString(Files.createTempFile("events", ".ndjson"),
        "{\"type\": \"page\", \"anonymousId\": \"a\", \"messageId\": \"m1\"}\n{\"type\": \"track\", \"anonymousId\": \"a\"\n");

    assertThat(simulate("--candidate", RULES.toString(), "--events", events.toString(),
        "--current", RULES.toString())).isEqualTo(2);
    assertThat(err.toString()).contains(events + " line 2:");
  }

  @Test
  void aCandidateThatDoesNotCompileIsNamedWithFileAndLine() throws IOException {
    Path candidate = copyOfRulesWithout("none");
    Files.writeString(candidate.resolve("broken.drl"), "package nudge.rules;\nrule \"broken\"\nwhen\n  Journey( \nthen\nend\n");
    Path events = Files.writeString(Files.createTempFile("events", ".ndjson"), "");

    assertThat(simulate("--candidate", candidate.toString(), "--events", events.toString(),
        "--current", RULES.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("the candidate rules in " + candidate + " do not compile")
        .containsPattern("broken\\.drl:\\d+:\\d+ ");
  }

  @Test
  void aWrongCommandLineSaysHowToUseIt() {
    assertThat(simulate("--events")).isEqualTo(2);
    assertThat(err.toString()).contains("--events needs a value").contains("usage: java -jar nudge-server.jar simulate");
    err.reset();
    assertThat(simulate("--events", "x.ndjson")).isEqualTo(2);
    assertThat(err.toString()).contains("--candidate is required");
    err.reset();
    assertThat(simulate("--candidate", "c", "--events", "/nonexistent/events.ndjson", "--current", RULES.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot read the event file /nonexistent/events.ndjson");
  }

  private static Path copyOfRulesWithout(String file) throws IOException {
    Path dir = Files.createTempDirectory("candidate");
    try (Stream<Path> files = Files.list(RULES)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getFileName().toString().equals(file)) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
    }
    return dir;
  }
}
