package io.nudge.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up line about the JVM: what an operator reads in the log. */
final class JvmOptionsTest {
  private static final long EIGHT_GB = 8L * 1024 * 1024 * 1024;
  private static final List<String> G1 = List.of("G1 Young Generation", "G1 Old Generation");

  @Test
  void g1WithItsDefaults_namesTheRecommendedOptionsAndWhereTheyAreExplained() {
    String line = JvmOptions.describe("17.0.17+10", G1, EIGHT_GB, List.of("-Xmx8g"));

    assertThat(line).isEqualTo("JVM: Java 17.0.17+10, G1, heap limit 8192 MB; for a short latency tail under"
        + " load start it with -XX:+UnlockExperimentalVMOptions -XX:G1NewSizePercent=0 -XX:MaxGCPauseMillis=20"
        + " (docs/operations.md, \"Memory and the JVM\")");
  }

  @Test
  void g1WithTheRecommendedOptions_saysOnlyWhatRuns() {
    String line = JvmOptions.describe("17.0.17+10", G1, EIGHT_GB, List.of("-Xmx8g",
        "-XX:+UnlockExperimentalVMOptions", "-XX:G1NewSizePercent=0", "-XX:MaxGCPauseMillis=20"));

    assertThat(line).isEqualTo("JVM: Java 17.0.17+10, G1, heap limit 8192 MB");
  }

  @Test
  void youngGenerationSizedAnotherWay_isTheOperatorsChoice() {
    assertThat(JvmOptions.describe("17", G1, EIGHT_GB, List.of("-Xmn48m"))).doesNotContain("start it with");
    assertThat(JvmOptions.describe("17", G1, EIGHT_GB, List.of("-XX:MaxNewSize=64m"))).doesNotContain("start it with");
  }

  @Test
  void anotherCollector_isNamedAndNotAdvisedOn() {
    String line = JvmOptions.describe("25+36", List.of("ZGC Cycles", "ZGC Pauses"), EIGHT_GB, List.of("-XX:+UseZGC"));

    assertThat(line).isEqualTo("JVM: Java 25+36, ZGC Cycles and ZGC Pauses, heap limit 8192 MB");
  }
}
