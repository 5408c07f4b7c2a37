package io.nudge.server.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.ManualClock;
import io.nudge.server.NudgeServer;
import io.nudge.server.TestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rules deployed while Nudge runs: saved files, uploads, refusals, rollback. */
final class RuleDeploymentTest {
  private static final String EXTRA = """
      package nudge.rules;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      rule "pricing-help" @reason("test reason") @dataUsed("test data")
      when
        Journey( $c : customerId, currentPath == "/pricing" )
        not Offer( customerId == $c, rule == "pricing-help" )
      then
        nudge.tip("Questions about pricing?", "Compare plans side by side.");
      end
      """;

  private Path rules;
  private NudgeServer server;
  private TestSupport.Client http;

  @BeforeEach
  void start() throws Exception {
    Path dir = TestSupport.tempDir();
    rules = Files.createDirectories(dir.resolve("rules"));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(System.getProperty("nudge.rules.dir",
        "../rules")), "*.{drl,dsl,dslr,csv}")) {
      for (Path f : files) {
        Files.copy(f, rules.resolve(f.getFileName()));
      }
    }
    Map<String, String> env = TestSupport.env(dir.resolve("data"));
    env.put("NUDGE_RULES_DIR", rules.toString());
    server = TestSupport.startServer(env, new ManualClock());
    http = TestSupport.client(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void savedFile_deployedWithoutARestart_andListedWithItsVersion() throws Exception {
    String before = status().getString("version");

    Files.writeString(rules.resolve("pricing-help.drl"), EXTRA);

    JsonObject after = awaitStatus(s -> !s.getString("version").equals(before));
    assertThat(after.getString("status")).isEqualTo("deployed");
    assertThat(after.getJsonArray("files")).contains("pricing-help.drl");
    assertThat(after.getJsonArray("history")).hasSize(2);
    assertThat(after.getJsonArray("history").getJsonObject(1).getString("how")).isEqualTo("saved");
    assertThat(server.engine().rules().ruleNames()).contains("pricing-help");
  }

  @Test
  void brokenFileSaved_oldRulesKeepRunning_andTheErrorIsReportedWithFileAndLine() throws Exception {
    String before = status().getString("version");

    Files.writeString(rules.resolve("broken.drl"), EXTRA.replace("then", "then then ("));

    JsonObject s = awaitStatus(x -> x.getString("status").equals("last change refused"));
    assertThat(s.getString("version")).isEqualTo(before);
    JsonObject problem = s.getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("file")).isEqualTo("broken.drl");
    assertThat(problem.getInteger("line")).isGreaterThan(0);
    assertThat(server.engine().rules().version()).isEqualTo(before);
  }

  @Test
  void upload_deploys_andRollbackPutsThePreviousVersionBack() {
    String before = status().getString("version");

    HttpResponse<String> put = http.send(request("/v1/rules/pricing-help.drl")
        .PUT(HttpRequest.BodyPublishers.ofString(EXTRA)));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(put.body()).getString("version")).isNotEqualTo(before);

    HttpResponse<String> back = http.send(request("/v1/rules/rollback").POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(back.body()).getString("version")).isEqualTo(before);
    assertThat(rules.resolve("pricing-help.drl")).doesNotExist();
    assertThat(server.engine().rules().ruleNames()).doesNotContain("pricing-help");
  }

  @Test
  void theHistorySurvivesARestart_andRollbackStillGoesBack() {
    String before = status().getString("version");
    HttpResponse<String> put = http.send(request("/v1/rules/pricing-help.drl")
        .PUT(HttpRequest.BodyPublishers.ofString(EXTRA)));
    assertThat(put.statusCode()).isEqualTo(200);
    String uploaded = new JsonObject(put.body()).getString("version");
    Path data = server.config().dataDir();
    server.close();

    Map<String, String> env = TestSupport.env(data);
    env.put("NUDGE_RULES_DIR", rules.toString());
    server = TestSupport.startServer(env, new ManualClock());
    http = TestSupport.client(server);

    JsonObject s = status();
    assertThat(s.getString("version")).isEqualTo(uploaded);
    assertThat(s.getJsonArray("history").stream().map(v -> ((JsonObject) v).getString("version")))
        .containsExactly(before, uploaded);
    HttpResponse<String> back = http.send(request("/v1/rules/rollback").POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(back.body()).getString("version")).isEqualTo(before);
    assertThat(rules.resolve("pricing-help.drl")).doesNotExist();
  }

  @Test
  void uploadOfAHostileOrBrokenFile_refusedWith400_andNotLeftInTheFolder() {
    String hostile = EXTRA.replace("nudge.tip(", "System.exit(1); nudge.tip(");

    HttpResponse<String> r = http.send(request("/v1/rules/pricing-help.drl")
        .PUT(HttpRequest.BodyPublishers.ofString(hostile)));

    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("error")).startsWith("the rules were not deployed: pricing-help.drl:10:3: rule "
        + "\"pricing-help\" uses System (System.)");
    assertThat(rules.resolve("pricing-help.drl")).doesNotExist();
  }

  @Test
  void scenarioFileThatFails_keepsTheRulesFromBeingDeployed() throws Exception {
    Files.createDirectories(rules.resolve("tests"));
    Files.writeString(rules.resolve("tests/pricing.yaml"), """
        scenario: the pricing page shows a tip
        consent: {personalization: granted}
        events:
          - {at: +0s, page: /pricing}
        expect:
          - {type: tip, rule: pricing-help, title: "Questions about pricing?"}
        """);
    String before = status().getString("version");

    HttpResponse<String> wrong = http.send(request("/v1/rules/pricing-help.drl")
        .PUT(HttpRequest.BodyPublishers.ofString(EXTRA.replace("Questions about pricing?", "Pricing?"))));
    HttpResponse<String> right = http.send(request("/v1/rules/pricing-help.drl")
        .PUT(HttpRequest.BodyPublishers.ofString(EXTRA)));

    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(wrong.body()).getString("error"))
        .startsWith("the rules were not deployed: tests/pricing.yaml:0:0: scenario \"the pricing page shows a tip\" "
            + "failed:");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(right.body()).getString("version")).isNotEqualTo(before);
  }

  @Test
  void rollbackWithNothingToGoBackTo_returns409() {
    HttpResponse<String> r = http.send(request("/v1/rules/rollback").POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(r.body()).getString("error")).startsWith("there is no previous version to roll back to");
  }

  @Test
  void validate_compilesWithoutDeploying() {
    HttpResponse<String> ok = http.send(request("/v1/rules/validate").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("files",
            new JsonObject().put("x.drl", EXTRA)).encode())));
    HttpResponse<String> bad = http.send(request("/v1/rules/validate").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("files",
            new JsonObject().put("x.drl", "rule oops")).encode())));

    assertThat(new JsonObject(ok.body())).isEqualTo(new JsonObject().put("valid", true).put("problems",
        new JsonArray()));
    assertThat(new JsonObject(bad.body()).getBoolean("valid")).isFalse();
    assertThat(server.engine().rules().ruleNames()).doesNotContain("pricing-help");
  }

  @Test
  void simulate_replaysTheLoggedEventsThroughACandidate_andTellsWhatWouldChange_sendingNothing()
      throws Exception {
    HttpResponse<String> sent = http.postSegment("/v1/batch", TestSupport.WRITE_KEY, new JsonObject().put("batch",
        new JsonArray()
            .add(new JsonObject().put("type", "page").put("anonymousId", "ann").put("messageId", "p1")
                .put("properties", new JsonObject().put("path", "/pricing")))
            .add(new JsonObject().put("type", "page").put("anonymousId", "bob").put("messageId", "p2")
                .put("properties", new JsonObject().put("path", "/home")))).encode());
    assertThat(sent.statusCode()).isEqualTo(200);
    server.engine().journey("bob").get(); // applied
    JsonObject files = new JsonObject();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(rules)) {
      for (Path f : all) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".yaml")) {
          files.put(f.getFileName().toString(), Files.readString(f));
        }
      }
    }
    files.put("pricing-help.drl", EXTRA);

    HttpResponse<String> r = http.send(request("/v1/rules/simulate").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("files", files)
            .put("from", "2026-11-23T00:00:00Z").put("to", "2026-11-24T00:00:00Z").encode())));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject()
        .put("from", "2026-11-23T00:00:00Z").put("to", "2026-11-24T00:00:00Z").put("events", 2)
        .put("current", 0).put("candidate", 1)
        .put("changes", new JsonArray().add(new JsonObject().put("rule", "pricing-help").put("added", 1)
            .put("removed", 0).put("sampleCustomers", new JsonArray()
                .add(server.engine().customerOf("ann").orElseThrow())))));
    assertThat(server.engine().decisions("ann")).isEmpty(); // nothing sent, nothing recorded
    assertThat(server.engine().rules().ruleNames()).doesNotContain("pricing-help");
  }

  @Test
  void simulate_badRange_clearError() {
    HttpResponse<String> r = http.send(request("/v1/rules/simulate").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"from\": \"yesterday\"}")));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error"))
        .isEqualTo("from \"yesterday\" is not a time such as 2026-11-23T10:00:00Z");
  }

  @Test
  void rulesEndpoints_needTheAdminToken() {
    assertThat(http.get("/v1/rules", TestSupport.INTEGRATION).statusCode()).isEqualTo(403);
    assertThat(http.get("/v1/rules", null).statusCode()).isEqualTo(401);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(http.uri(path)).header("Authorization", "Bearer " + TestSupport.ADMIN);
  }

  private JsonObject status() {
    return new JsonObject(http.get("/v1/rules", TestSupport.ADMIN).body());
  }

  private JsonObject awaitStatus(Predicate<JsonObject> until) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    JsonObject s = status();
    while (!until.test(s) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      s = status();
    }
    return s;
  }
}
