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

  private static Run main(Map<String, String> env) throws IOException, InterruptedException {
    Path dir = TestSupport.tempDir();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.nudge.server.Main")
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
}
