package io.nudge.server.config;

import io.nudge.engine.ConsentDefault;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Every setting of a Nudge server, read once at start-up from environment variables and, when present,
 * a properties file ({@code NUDGE_CONFIG_FILE}, default {@code ./nudge.properties}) with the same names;
 * environment variables win. A bad value stops start-up with one line naming the variable.
 *
 * <p>Secrets left unset ({@code writeKeys}, tokens, webhook secret) are filled in by {@link Secrets}.
 */
public record NudgeConfig(
    String host,
    int port,
    Path dataDir,
    Path rulesDir,
    Set<String> writeKeys,
    String adminToken,
    String integrationToken,
    URI webhookUrl,
    String webhookSecret,
    Duration webhookExpiry,
    Duration webhookRetryMin,
    Duration webhookRetryMax,
    int shards,
    int shardQueue,
    Duration sessionTimeout,
    Duration eventRetention,
    Duration journeyRetention,
    Duration decisionRetention,
    io.nudge.engine.privacy.PersonalData personalData,
    ConsentDefault consentDefault,
    String consentCategories,
    boolean honourPrivacySignals,
    io.nudge.engine.policy.ContactPolicy policy,
    int maxEventBytes,
    int maxRequestBytes,
    int maxBatchEvents,
    int maxNestingDepth,
    int maxStringLength,
    int maxProperties,
    Set<String> allowedOrigins,
    int rateLimitPerKey,
    int rateLimitPerAddress,
    Set<String> trustedProxies,
    TlsSettings tls,
    boolean demo,
    Path privacyTexts) {

  /** Reads the process environment and the config file. */
  public static NudgeConfig fromEnvironment() {
    return from(System.getenv());
  }

  /** Reads {@code env}, after the config file it names (or {@code ./nudge.properties}) if that exists. */
  public static NudgeConfig from(Map<String, String> env) {
    Map<String, String> vars = new HashMap<>(fileVars(env));
    vars.putAll(env);
    Settings s = new Settings(vars);
    Path rulesDir = Path.of(s.text("NUDGE_RULES_DIR", "./rules"));
    if (!Files.isDirectory(rulesDir) || !Files.isReadable(rulesDir)) {
      throw new ConfigException("NUDGE_RULES_DIR is \"" + rulesDir + "\", which is not a readable folder");
    }
    Duration retention = s.duration("NUDGE_EVENT_RETENTION", Duration.ofDays(7));
    if (retention.compareTo(Duration.ofMinutes(10)) < 0) {
      throw new ConfigException("NUDGE_EVENT_RETENTION is " + retention.toSeconds()
          + " s, must be at least 10m: restarts replay the last ten minutes");
    }
    int shardQueue = s.integer("NUDGE_SHARD_QUEUE", 10_000, 1, 10_000_000);
    int maxBatch = s.integer("NUDGE_MAX_BATCH_EVENTS", 2500, 1, 100_000);
    if (shardQueue < maxBatch) {
      throw new ConfigException("NUDGE_SHARD_QUEUE is " + shardQueue + ", must be at least NUDGE_MAX_BATCH_EVENTS ("
          + maxBatch + ") or a full batch could never be accepted");
    }
    return new NudgeConfig(
        s.text("NUDGE_HOST", "0.0.0.0"),
        s.integer("NUDGE_PORT", 8080, 0, 65535),
        Path.of(s.text("NUDGE_DATA_DIR", "./data")),
        rulesDir,
        s.list("NUDGE_WRITE_KEYS"),
        s.text("NUDGE_ADMIN_TOKEN", null),
        s.text("NUDGE_INTEGRATION_TOKEN", null),
        webhookUrl(s.text("NUDGE_WEBHOOK_URL", null)),
        s.text("NUDGE_WEBHOOK_SECRET", null),
        s.duration("NUDGE_WEBHOOK_EXPIRY", Duration.ofHours(24)),
        s.duration("NUDGE_WEBHOOK_RETRY_MIN", Duration.ofSeconds(1)),
        s.duration("NUDGE_WEBHOOK_RETRY_MAX", Duration.ofMinutes(5)),
        s.integer("NUDGE_SHARDS", Runtime.getRuntime().availableProcessors(), 1, 1024),
        shardQueue,
        s.duration("NUDGE_SESSION_TIMEOUT", Duration.ofMinutes(30)),
        retention,
        retention(s, "NUDGE_JOURNEY_RETENTION"),
        retention(s, "NUDGE_DECISION_RETENTION"),
        personalData(s),
        consentDefault(s.text("NUDGE_CONSENT_DEFAULT", "opt-in")),
        s.text("NUDGE_CONSENT_CATEGORIES", ""),
        privacySignals(s.text("NUDGE_PRIVACY_SIGNALS", "honour")),
        policy(s.text("NUDGE_POLICY_FILE", null), rulesDir),
        s.integer("NUDGE_MAX_EVENT_BYTES", 32 * 1024, 1024, 16 * 1024 * 1024),
        s.integer("NUDGE_MAX_REQUEST_BYTES", 500 * 1024, 1024, 64 * 1024 * 1024),
        maxBatch,
        s.integer("NUDGE_MAX_NESTING_DEPTH", 20, 3, 1000),
        s.integer("NUDGE_MAX_STRING_LENGTH", 8192, 16, 1024 * 1024),
        s.integer("NUDGE_MAX_PROPERTIES", 200, 1, 100_000),
        s.list("NUDGE_ALLOWED_ORIGINS"),
        s.integer("NUDGE_RATE_LIMIT_PER_KEY", 2000, 0, 1_000_000),
        s.integer("NUDGE_RATE_LIMIT_PER_ADDRESS", 200, 0, 1_000_000),
        s.list("NUDGE_TRUSTED_PROXIES"),
        TlsSettings.from(vars),
        demo(s.text("NUDGE_DEMO", "off")),
        optionalPath(s.text("NUDGE_PRIVACY_TEXTS", null)));
  }

  /**
   * The cluster this node joins, when {@code NUDGE_KAFKA_BOOTSTRAP} is set (environment, then the config
   * file): see {@link io.nudge.kafka.ClusterSettings}. Empty runs Nudge alone, as one process.
   */
  public static java.util.Optional<io.nudge.kafka.ClusterSettings> cluster(Map<String, String> env) {
    Map<String, String> vars = new HashMap<>(fileVars(env));
    vars.putAll(env);
    Settings s = new Settings(vars);
    String bootstrap = s.text("NUDGE_KAFKA_BOOTSTRAP", null);
    if (bootstrap == null || bootstrap.isBlank()) {
      return java.util.Optional.empty();
    }
    String node = s.text("NUDGE_NODE_ID", null);
    if (node == null || node.isBlank()) {
      try {
        node = java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
      } catch (java.net.UnknownHostException e) {
        node = "node-" + ProcessHandle.current().pid();
      }
    }
    if (!node.matches("[A-Za-z0-9._-]{1,100}")) {
      throw new ConfigException("NUDGE_NODE_ID is \"" + node + "\": use 1 to 100 letters, digits, '.', '_' or '-'");
    }
    Set<String> roles = s.list("NUDGE_ROLES");
    try {
      return java.util.Optional.of(new io.nudge.kafka.ClusterSettings(bootstrap.trim(),
          s.text("NUDGE_KAFKA_TOPIC_PREFIX", "nudge."),
          s.integer("NUDGE_KAFKA_PARTITIONS", 12, 1, 1024),
          (short) s.integer("NUDGE_KAFKA_REPLICATION", 1, 1, 10),
          node, roles.isEmpty() ? io.nudge.kafka.ClusterSettings.ALL_ROLES : roles, Map.of()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * The key that signs visitor tokens, from {@code NUDGE_VISITOR_KEY} (Base64 of at least 24 random
   * bytes); empty when unset, and a node keeps its own in its data folder. Every node of a cluster
   * needs the same one, so that a token one node gave is good on all.
   */
  public static java.util.Optional<byte[]> visitorKey(Map<String, String> env) {
    Map<String, String> vars = new HashMap<>(fileVars(env));
    vars.putAll(env);
    String text = new Settings(vars).text("NUDGE_VISITOR_KEY", null);
    if (text == null || text.isBlank()) {
      return java.util.Optional.empty();
    }
    byte[] key;
    try {
      key = java.util.Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("NUDGE_VISITOR_KEY is not Base64: " + e.getMessage());
    }
    if (key.length < 24) {
      throw new ConfigException("NUDGE_VISITOR_KEY holds " + key.length + " bytes, must hold at least 24 random bytes");
    }
    return java.util.Optional.of(key);
  }

  /**
   * The contact policy: the file {@code NUDGE_POLICY_FILE} names (it must exist), else {@code
   * policy.yaml} in the rules folder if there is one, else the defaults.
   */
  private static io.nudge.engine.policy.ContactPolicy policy(String named, Path rulesDir) {
    if (named != null) {
      Path file = Path.of(named);
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("NUDGE_POLICY_FILE is \"" + named + "\", which is not a readable file");
      }
      return PolicyFile.read(file);
    }
    Path inRules = rulesDir.resolve("policy.yaml");
    return Files.isRegularFile(inRules) ? PolicyFile.read(inRules) : io.nudge.engine.policy.ContactPolicy.defaults();
  }

  /** The same settings with the secrets filled in. */
  public NudgeConfig withSecrets(Set<String> keys, String admin, String integration, String webhook) {
    return new NudgeConfig(host, port, dataDir, rulesDir, keys, admin, integration, webhookUrl, webhook,
        webhookExpiry, webhookRetryMin, webhookRetryMax, shards, shardQueue, sessionTimeout, eventRetention,
        journeyRetention, decisionRetention, personalData, consentDefault, consentCategories, honourPrivacySignals,
        policy, maxEventBytes,
        maxRequestBytes, maxBatchEvents, maxNestingDepth, maxStringLength, maxProperties, allowedOrigins,
        rateLimitPerKey, rateLimitPerAddress, trustedProxies, tls, demo, privacyTexts);
  }

  /** The same settings listening on another port (tests use 0 for a free one). */
  public NudgeConfig withPort(int newPort) {
    return new NudgeConfig(host, newPort, dataDir, rulesDir, writeKeys, adminToken, integrationToken,
        webhookUrl, webhookSecret, webhookExpiry, webhookRetryMin, webhookRetryMax, shards, shardQueue,
        sessionTimeout, eventRetention, journeyRetention, decisionRetention, personalData, consentDefault,
        consentCategories, honourPrivacySignals, policy,
        maxEventBytes, maxRequestBytes, maxBatchEvents, maxNestingDepth, maxStringLength, maxProperties,
        allowedOrigins, rateLimitPerKey, rateLimitPerAddress,
        trustedProxies, tls, demo, privacyTexts);
  }

  /** How long journeys or decisions are kept: 395 days (13 months) unless set, a minute at least. */
  private static Duration retention(Settings s, String name) {
    Duration d = s.duration(name, Duration.ofDays(395));
    if (d.compareTo(Duration.ofMinutes(1)) < 0) {
      String given = d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
      throw new ConfigException(name + " is " + given + ", must be at least 1m");
    }
    return d;
  }

  private static Map<String, String> fileVars(Map<String, String> env) {
    String named = env.get("NUDGE_CONFIG_FILE");
    Path file = Path.of(named == null || named.isBlank() ? "nudge.properties" : named);
    if (!Files.exists(file)) {
      if (named != null && !named.isBlank()) {
        throw new ConfigException("NUDGE_CONFIG_FILE is \"" + named + "\", which does not exist");
      }
      return Map.of();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("NUDGE_CONFIG_FILE \"" + file + "\" cannot be read: " + e.getMessage());
    }
    Map<String, String> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  private static URI webhookUrl(String value) {
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new ConfigException("NUDGE_WEBHOOK_URL is \"" + value + "\", not an http or https URL");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException("NUDGE_WEBHOOK_URL is \"" + value + "\", not a URL: " + e.getReason());
    }
  }

  private static io.nudge.engine.privacy.PersonalData personalData(Settings s) {
    io.nudge.engine.privacy.PersonalData d = io.nudge.engine.privacy.PersonalData.defaults();
    Set<String> fields = s.list("NUDGE_PII_FIELDS");
    String mode = s.text("NUDGE_PII_MODE", "hash").toLowerCase(Locale.ROOT);
    if (!mode.equals("hash") && !mode.equals("drop")) {
      throw new ConfigException("NUDGE_PII_MODE is \"" + mode + "\", must be hash or drop");
    }
    return new io.nudge.engine.privacy.PersonalData(fields.isEmpty() ? d.fields() : fields,
        mode.equals("hash") ? io.nudge.engine.privacy.PersonalData.Mode.HASH
            : io.nudge.engine.privacy.PersonalData.Mode.DROP);
  }

  private static boolean privacySignals(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "honour", "honor" -> true;
      case "ignore" -> false;
      default -> throw new ConfigException("NUDGE_PRIVACY_SIGNALS is \"" + value + "\", must be honour or ignore");
    };
  }

  private static Path optionalPath(String value) {
    return value == null || value.isBlank() ? null : Path.of(value.trim());
  }

  /** The demo shop under {@code /demo/}: off unless asked for, so no production server shows it by accident. */
  private static boolean demo(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new ConfigException("NUDGE_DEMO is \"" + value + "\", must be on or off");
    };
  }

  private static ConsentDefault consentDefault(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "opt-in" -> ConsentDefault.OPT_IN;
      case "opt-out" -> ConsentDefault.OPT_OUT;
      default -> throw new ConfigException("NUDGE_CONSENT_DEFAULT is \"" + value + "\", must be opt-in or opt-out");
    };
  }
}
