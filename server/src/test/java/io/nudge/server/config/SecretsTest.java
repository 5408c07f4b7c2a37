package io.nudge.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.server.TestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SecretsTest {
  private final Path data = TestSupport.tempDir();

  private NudgeConfig config(Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "NUDGE_DATA_DIR", data.toString(),
        "NUDGE_RULES_DIR", System.getProperty("nudge.rules.dir", "../rules")));
    env.putAll(extra);
    return NudgeConfig.from(env);
  }

  @Test
  void firstStart_generatesEveryCredential_keepsThemPrivate_andPrintsThemOnce() throws Exception {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    Secrets generated = Secrets.resolve(config(Map.of()), new PrintStream(first, true, StandardCharsets.UTF_8));

    NudgeConfig c = generated.config();
    assertThat(c.writeKeys()).singleElement().asString().startsWith("wk_").hasSize(35);
    assertThat(c.adminToken()).startsWith("adm_").hasSize(36);
    assertThat(c.integrationToken()).startsWith("int_").hasSize(36);
    assertThat(c.webhookSecret()).startsWith("whsec_");
    assertThat(generated.visitorKey()).hasSize(24);
    String printed = first.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains(c.writeKeys().iterator().next(), c.adminToken(), c.integrationToken(),
        c.webhookSecret());
    assertThat(printed).doesNotContain("visitorKey");
    Path file = data.resolve("secrets.properties");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    Secrets again = Secrets.resolve(config(Map.of()), new PrintStream(second, true, StandardCharsets.UTF_8));

    assertThat(second.size()).as("printed only the time they are generated").isZero();
    assertThat(again.config().writeKeys()).isEqualTo(c.writeKeys());
    assertThat(again.config().adminToken()).isEqualTo(c.adminToken());
    assertThat(again.visitorKey()).isEqualTo(generated.visitorKey());
  }

  @Test
  void configuredCredentials_winAndAreNeitherGeneratedNorPrinted() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Secrets s = Secrets.resolve(config(Map.of("NUDGE_WRITE_KEYS", "key-a, key-b", "NUDGE_ADMIN_TOKEN", "adm-mine",
        "NUDGE_INTEGRATION_TOKEN", "int-mine", "NUDGE_WEBHOOK_SECRET", TestSupport.WEBHOOK_SECRET)),
        new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(s.config().writeKeys()).containsExactly("key-a", "key-b");
    assertThat(s.config().adminToken()).isEqualTo("adm-mine");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("adm-mine", "key-a", "write key", "admin token");
  }
}
