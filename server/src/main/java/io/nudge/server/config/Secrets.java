package io.nudge.server.config;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * Fills in the credentials an operator left unset: each is generated once with a strong random
 * source, kept in {@code <data dir>/secrets.properties} (owner-only permissions) and printed once, the
 * time it is generated, so the quick start works without configuration. Set the variables to use your
 * own values.
 */
public final class Secrets {
  static final String FILE = "secrets.properties";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final NudgeConfig config;
  private final byte[] visitorKey;

  private Secrets(NudgeConfig config, byte[] visitorKey) {
    this.config = config;
    this.visitorKey = visitorKey;
  }

  /** The configuration with every credential set, and the key that signs visitor tokens. */
  public static Secrets resolve(NudgeConfig config, PrintStream console) {
    Path file = config.dataDir().resolve(FILE);
    Properties stored = load(file);
    StringBuilder generated = new StringBuilder();
    String writeKey = config.writeKeys().isEmpty()
        ? fill(stored, "writeKey", "wk_", "write key (NUDGE_WRITE_KEYS)", generated) : null;
    String admin = config.adminToken() != null ? config.adminToken()
        : fill(stored, "adminToken", "adm_", "admin token (NUDGE_ADMIN_TOKEN)", generated);
    String integration = config.integrationToken() != null ? config.integrationToken()
        : fill(stored, "integrationToken", "int_", "integration token (NUDGE_INTEGRATION_TOKEN)", generated);
    String webhook = config.webhookSecret() != null ? config.webhookSecret()
        : fill(stored, "webhookSecret", "whsec_", "webhook secret (NUDGE_WEBHOOK_SECRET)", generated);
    boolean hadVisitorKey = stored.containsKey("visitorKey");
    String visitor = fill(stored, "visitorKey", "", null, generated);
    if (!generated.isEmpty() || !hadVisitorKey) {
      save(file, stored);
    }
    if (!generated.isEmpty()) {
      console.println("Nudge generated these credentials and keeps them in " + file
          + " (shown only this once):");
      console.print(generated);
    }
    Set<String> keys = writeKey == null ? config.writeKeys() : Set.of(writeKey);
    return new Secrets(config.withSecrets(keys, admin, integration, webhook), Base64.getDecoder().decode(visitor));
  }

  public NudgeConfig config() {
    return config;
  }

  /** The key that signs visitor stream tokens; never leaves the server. */
  public byte[] visitorKey() {
    return visitorKey.clone();
  }

  private static String fill(Properties stored, String key, String prefix, String label, StringBuilder out) {
    String value = stored.getProperty(key);
    if (value == null) {
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      value = prefix + (prefix.equals("whsec_") || prefix.isEmpty()
          ? Base64.getEncoder().encodeToString(bytes)
          : Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      stored.setProperty(key, value);
      if (label != null) {
        out.append(String.format("  %-46s %s%n", label + ":", value));
      }
    }
    return value;
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("NUDGE_DATA_DIR: cannot read " + file + ": " + e.getMessage());
      }
    }
    return p;
  }

  private static void save(Path file, Properties p) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(FILE + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the folder's own permissions apply
      }
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "Nudge credentials, generated on first start. Keep this file private.");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ConfigException("NUDGE_DATA_DIR is \"" + file.getParent() + "\", which is not writable: "
          + e.getMessage());
    }
  }
}
