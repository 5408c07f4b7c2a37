package io.nudge.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.engine.ConsentDefault;
import io.nudge.server.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class NudgeConfigTest {
  private static final String RULES = System.getProperty("nudge.rules.dir", "../rules");

  private static NudgeConfig read(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("NUDGE_RULES_DIR", RULES);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return NudgeConfig.from(env);
  }

  @Test
  void defaults_matchTheDocumentation() {
    NudgeConfig c = read();

    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.consentDefault()).isEqualTo(ConsentDefault.OPT_IN);
    assertThat(c.maxEventBytes()).isEqualTo(32 * 1024);
    assertThat(c.maxRequestBytes()).isEqualTo(500 * 1024);
    assertThat(c.writeKeys()).isEmpty();
    assertThat(c.webhookUrl()).isNull();
  }

  @Test
  void everyVariable_isRead() {
    NudgeConfig c = read("NUDGE_PORT", "9090", "NUDGE_HOST", "127.0.0.1", "NUDGE_WRITE_KEYS", "a,b ,c",
        "NUDGE_WEBHOOK_URL", "https://chat.example/hooks", "NUDGE_SESSION_TIMEOUT", "45m",
        "NUDGE_CONSENT_DEFAULT", "opt-out", "NUDGE_SHARDS", "3", "NUDGE_SHARD_QUEUE", "5000");

    assertThat(c.port()).isEqualTo(9090);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.writeKeys()).containsExactly("a", "b", "c");
    assertThat(c.webhookUrl()).hasToString("https://chat.example/hooks");
    assertThat(c.sessionTimeout()).isEqualTo(Duration.ofMinutes(45));
    assertThat(c.consentDefault()).isEqualTo(ConsentDefault.OPT_OUT);
    assertThat(c.shards()).isEqualTo(3);
    assertThat(c.shardQueue()).isEqualTo(5000);
  }

  @Test
  void badValues_nameTheVariableTheValueAndTheRule() {
    assertThatThrownBy(() -> read("NUDGE_PORT", "http")).hasMessage("NUDGE_PORT is \"http\", not a whole number");
    assertThatThrownBy(() -> read("NUDGE_SHARDS", "0")).hasMessage("NUDGE_SHARDS is 0, must be between 1 and 1024");
    assertThatThrownBy(() -> read("NUDGE_SESSION_TIMEOUT", "half an hour"))
        .hasMessage("NUDGE_SESSION_TIMEOUT is \"half an hour\", not a duration such as 500ms, 30s, 30m, 24h or 7d");
    assertThatThrownBy(() -> read("NUDGE_CONSENT_DEFAULT", "maybe"))
        .hasMessage("NUDGE_CONSENT_DEFAULT is \"maybe\", must be opt-in or opt-out");
    assertThatThrownBy(() -> read("NUDGE_WEBHOOK_URL", "ftp://x.example/"))
        .hasMessage("NUDGE_WEBHOOK_URL is \"ftp://x.example/\", not an http or https URL");
    assertThatThrownBy(() -> read("NUDGE_RULES_DIR", "/nowhere"))
        .hasMessage("NUDGE_RULES_DIR is \"/nowhere\", which is not a readable folder");
    assertThatThrownBy(() -> read("NUDGE_SHARD_QUEUE", "100"))
        .hasMessage("NUDGE_SHARD_QUEUE is 100, must be at least NUDGE_MAX_BATCH_EVENTS (2500) or a full batch "
            + "could never be accepted");
    assertThatThrownBy(() -> read("NUDGE_EVENT_RETENTION", "30s"))
        .hasMessage("NUDGE_EVENT_RETENTION is 30 s, must be at least 10m: restarts replay the last ten minutes");
    assertThatThrownBy(() -> read("NUDGE_CONFIG_FILE", "/nowhere.properties"))
        .hasMessage("NUDGE_CONFIG_FILE is \"/nowhere.properties\", which does not exist");
  }

  @Test
  void retention_ofJourneysAndDecisions_defaultsTo395Days_andIsReadAndChecked() {
    assertThat(read().journeyRetention()).isEqualTo(Duration.ofDays(395));
    assertThat(read().decisionRetention()).isEqualTo(Duration.ofDays(395));

    NudgeConfig c = read("NUDGE_JOURNEY_RETENTION", "90d", "NUDGE_DECISION_RETENTION", "1m");

    assertThat(c.journeyRetention()).isEqualTo(Duration.ofDays(90));
    assertThat(c.decisionRetention()).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> read("NUDGE_JOURNEY_RETENTION", "59s"))
        .hasMessage("NUDGE_JOURNEY_RETENTION is 59 s, must be at least 1m");
    assertThatThrownBy(() -> read("NUDGE_DECISION_RETENTION", "500ms"))
        .hasMessage("NUDGE_DECISION_RETENTION is 500 ms, must be at least 1m");
    assertThatThrownBy(() -> read("NUDGE_DECISION_RETENTION", "a year"))
        .hasMessage("NUDGE_DECISION_RETENTION is \"a year\", not a duration such as 500ms, 30s, 30m, 24h or 7d");
  }

  @Test
  void configFile_addsSettings_andEnvironmentWins() throws Exception {
    Path file = TestSupport.tempDir().resolve("nudge.properties");
    Files.writeString(file, "NUDGE_PORT=7070\nNUDGE_SHARDS=5\n");

    NudgeConfig c = read("NUDGE_CONFIG_FILE", file.toString(), "NUDGE_SHARDS", "2");

    assertThat(c.port()).isEqualTo(7070);
    assertThat(c.shards()).isEqualTo(2);
  }

  private static java.util.Optional<io.nudge.kafka.ClusterSettings> cluster(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return NudgeConfig.cluster(env);
  }

  @Test
  void cluster_isOff_untilABootstrapIsSet_thenItsSettingsAreRead() {
    assertThat(cluster()).isEmpty();

    io.nudge.kafka.ClusterSettings c = cluster("NUDGE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "NUDGE_NODE_ID", "node-7",
        "NUDGE_ROLES", "engine,delivery", "NUDGE_KAFKA_PARTITIONS", "24", "NUDGE_KAFKA_TOPIC_PREFIX", "shop.",
        "NUDGE_KAFKA_REPLICATION", "3").orElseThrow();

    assertThat(c.bootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(c.nodeId()).isEqualTo("node-7");
    assertThat(c.roles()).containsExactlyInAnyOrder("engine", "delivery");
    assertThat(c.partitions()).isEqualTo(24);
    assertThat(c.replication()).isEqualTo((short) 3);
    assertThat(c.topic("events")).isEqualTo("shop.events");
    io.nudge.kafka.ClusterSettings defaults = cluster("NUDGE_KAFKA_BOOTSTRAP", "k1:9092").orElseThrow();
    assertThat(defaults.roles()).containsExactlyInAnyOrder("ingest", "engine", "delivery");
    assertThat(defaults.partitions()).isEqualTo(12);
    assertThat(defaults.topic("events")).isEqualTo("nudge.events");
  }

  @Test
  void badClusterValues_nameTheVariableTheValueAndTheRule() {
    assertThatThrownBy(() -> cluster("NUDGE_KAFKA_BOOTSTRAP", "k:9092", "NUDGE_ROLES", "engine,worker"))
        .hasMessage("NUDGE_ROLES names \"worker\", which is none of ingest, engine, delivery");
    assertThatThrownBy(() -> cluster("NUDGE_KAFKA_BOOTSTRAP", "k:9092", "NUDGE_KAFKA_PARTITIONS", "0"))
        .hasMessage("NUDGE_KAFKA_PARTITIONS is 0, must be between 1 and 1024");
    assertThatThrownBy(() -> cluster("NUDGE_KAFKA_BOOTSTRAP", "k:9092", "NUDGE_NODE_ID", "node 7"))
        .hasMessage("NUDGE_NODE_ID is \"node 7\": use 1 to 100 letters, digits, '.', '_' or '-'");
    assertThatThrownBy(() -> NudgeConfig.visitorKey(Map.of("NUDGE_VISITOR_KEY", "c2hvcnQ=")))
        .hasMessage("NUDGE_VISITOR_KEY holds 5 bytes, must hold at least 24 random bytes");
    assertThatThrownBy(() -> NudgeConfig.visitorKey(Map.of("NUDGE_VISITOR_KEY", "not base64!")))
        .hasMessageStartingWith("NUDGE_VISITOR_KEY is not Base64");
    assertThat(NudgeConfig.visitorKey(Map.of())).isEmpty();
  }
}
