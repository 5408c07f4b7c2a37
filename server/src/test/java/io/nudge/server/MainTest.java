package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Start-up as an operator sees it: {@code java io.nudge.server.Main} in a real process. */
final class MainTest {

  private record Run(int exitCode, String stdout, String stderr) {}

  private static Run main(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path dir = TestSupport.tempDir();
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.nudge.server.Main"));
    command.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("NUDGE_"));
    pb.environment().put("NUDGE_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("NUDGE_RULES_DIR", Path.of(System.getProperty("nudge.rules.dir", "../rules"))
        .toAbsolutePath().toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void portNotANumber_stopsStartUpWithOneLineNamingTheVariable() throws Exception {
    Run run = main(Map.of("NUDGE_PORT", "eighty"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).isEqualTo("nudge: NUDGE_PORT is \"eighty\", not a whole number\n");
  }

  @Test
  void portOutOfRange_stopsStartUp() throws Exception {
    Run run = main(Map.of("NUDGE_PORT", "70000"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).isEqualTo("nudge: NUDGE_PORT is 70000, must be between 0 and 65535\n");
  }

  @Test
  void rulesDirMissing_stopsStartUpWithOneLine() throws Exception {
    Run run = main(Map.of("NUDGE_RULES_DIR", "/no/such/rules"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).isEqualTo("nudge: NUDGE_RULES_DIR is \"/no/such/rules\", which is not a readable folder\n");
  }

  @Test
  void ruleThatDoesNotCompile_stopsStartUpNamingFileLineAndColumn() throws Exception {
    Path rules = TestSupport.tempDir();
    Files.writeString(rules.resolve("broken.drl"), "package nudge.rules;\n"
        + "import io.nudge.engine.facts.*;\n"
        + "rule \"broken\"\n"
        + "when\n"
        + "  Journey( cartValue >= )\n"
        + "then\n"
        + "end\n");

    Run run = main(Map.of("NUDGE_RULES_DIR", rules.toString()));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).startsWith("nudge: broken.drl:5:");
  }

  @Test
  void badWebhookSecret_stopsStartUpWithoutEchoingIt() throws Exception {
    Run run = main(Map.of("NUDGE_WEBHOOK_URL", "http://127.0.0.1:9/hook", "NUDGE_WEBHOOK_SECRET", "hunter2"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).startsWith("nudge: webhook secret").contains("(NUDGE_WEBHOOK_SECRET)")
        .doesNotContain("hunter2");
  }

  @Test
  void testRules_defaultPack_printsAllPassedAndExits0() throws Exception {
    String rules = Path.of(System.getProperty("nudge.rules.dir", "../rules")).toAbsolutePath().toString();

    Run run = main(Map.of(), "test-rules", rules);

    assertThat(run.exitCode()).as(run.stdout()).isEqualTo(0);
    assertThat(run.stdout()).matches("\\d+ scenarios passed\\R");
  }

  @Test
  void testRules_wrongExpectation_printsTheFailureAndExits1() throws Exception {
    Path rules = TestSupport.tempDir();
    Files.createDirectories(rules.resolve("tests"));
    Files.writeString(rules.resolve("tip.drl"), "package nudge.rules;\n"
        + "import io.nudge.engine.facts.*;\n"
        + "global io.nudge.engine.facts.Actions nudge;\n"
        + "rule \"cart-tip\" @reason(\"You are on the cart page\") @dataUsed(\"the page you are on\")\n"
        + "when\n"
        + "  Journey( currentPath == \"/cart\" )\n"
        + "then\n"
        + "  nudge.tip(\"Free delivery\", \"Orders over 50 ship free.\");\n"
        + "end\n");
    Files.writeString(rules.resolve("tests/cart.yaml"), "scenario: cart page shows nothing\n"
        + "consent: {personalization: granted}\n"
        + "events:\n"
        + "  - {at: +3s, page: /cart}\n"
        + "expect: none\n");

    Run run = main(Map.of(), "test-rules", rules.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout()).isEqualToNormalizingNewlines("""
        FAIL tests/cart.yaml: cart page shows nothing
          expected:
            none
          actual:
            tip cart-tip at +3s title="Free delivery" body="Orders over 50 ship free."
          rules fired: cart-tip at +3s

        1 of 1 scenarios failed
        """);
  }

  @Test
  void testRules_twoFolders_printsUsageAndExits2() throws Exception {
    Run run = main(Map.of(), "test-rules", "a", "b");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).startsWith("usage: java -jar nudge-server.jar test-rules");
  }

  @Test
  void start_saysWhichJvmItRunsOnAndWhichOptionsShortenTheLatencyTail() throws Exception {
    Path dir = TestSupport.tempDir();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), "io.nudge.server.Main")
        .directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("NUDGE_"));
    pb.environment().put("NUDGE_PORT", "0");
    pb.environment().put("NUDGE_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("NUDGE_RULES_DIR", Path.of(System.getProperty("nudge.rules.dir", "../rules"))
        .toAbsolutePath().toString());
    Process p = pb.start();
    try (java.io.BufferedReader out = new java.io.BufferedReader(
        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      // the lines up to the one that says it is ready (or the end, should it stop)
      String line;
      String jvm = null;
      java.util.List<String> seen = new java.util.ArrayList<>();
      while ((line = out.readLine()) != null && !line.startsWith("Nudge is ready on ")) {
        seen.add(line);
        if (line.startsWith("JVM: ")) {
          jvm = line;
        }
      }

      assertThat(jvm).as(String.join("\n", seen)).isNotNull();
      assertThat(jvm).startsWith("JVM: Java " + Runtime.version() + ", G1, heap limit ")
          .endsWith("start it with -XX:+UnlockExperimentalVMOptions -XX:G1NewSizePercent=0"
              + " -XX:MaxGCPauseMillis=20 (docs/operations.md, \"Memory and the JVM\")");
    } finally {
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }
}
