package io.nudge.server.config;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Optional HTTPS: {@code NUDGE_TLS_CERT} (the PEM certificate, followed by its chain) and
 * {@code NUDGE_TLS_KEY} (the PEM private key, unencrypted: PKCS#8, PKCS#1 RSA or EC), both or neither.
 * Without them Nudge speaks plain HTTP, for a proxy in front that ends TLS.
 *
 * <p>The files are checked at start-up, each with one line naming the variable and the path: they must
 * exist, be readable and hold what their name says, so that swapped or encrypted files fail here rather
 * than at the first connection.
 *
 * @param certPath the certificate file, or null when TLS is off
 * @param keyPath the private key file, or null when TLS is off
 */
public record TlsSettings(Path certPath, Path keyPath) {
  static final String CERT = "NUDGE_TLS_CERT";
  static final String KEY = "NUDGE_TLS_KEY";

  public TlsSettings {
    if ((certPath == null) != (keyPath == null)) {
      throw new IllegalArgumentException("certPath and keyPath go together: both or neither");
    }
  }

  /** Plain HTTP. */
  public static TlsSettings disabled() {
    return new TlsSettings(null, null);
  }

  /** Reads {@code NUDGE_TLS_CERT} and {@code NUDGE_TLS_KEY} from {@code env} and checks both files. */
  public static TlsSettings from(Map<String, String> env) {
    Settings s = new Settings(env);
    String cert = s.text(CERT, null);
    String key = s.text(KEY, null);
    if (cert == null && key == null) {
      return disabled();
    }
    if (cert == null || key == null) {
      throw new ConfigException((cert == null ? KEY + " is set but " + CERT + " is not"
          : CERT + " is set but " + KEY + " is not") + "; HTTPS needs both " + CERT + " and " + KEY + ", or neither");
    }
    Path certPath = readable(CERT, cert);
    Path keyPath = readable(KEY, key);
    checkCertificate(certPath);
    checkKey(keyPath);
    return new TlsSettings(certPath, keyPath);
  }

  public boolean enabled() {
    return certPath != null;
  }

  /** {@code https} or {@code http}, for the addresses Nudge prints. */
  public String scheme() {
    return enabled() ? "https" : "http";
  }

  /** Turns on TLS with the certificate and key in {@code options}; leaves them as they are when off. */
  public void apply(HttpServerOptions options) {
    if (enabled()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(certPath.toString())
          .setKeyPath(keyPath.toString()));
    }
  }

  private static Path readable(String name, String value) {
    Path path = Path.of(value);
    if (!Files.exists(path)) {
      throw new ConfigException(name + " is \"" + value + "\", which does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(name + " is \"" + value + "\", which is not a file");
    }
    if (!Files.isReadable(path)) {
      throw new ConfigException(name + " is \"" + value + "\", which Nudge may not read (check its permissions)");
    }
    return path;
  }

  private static void checkCertificate(Path path) {
    if (!text(CERT, path).contains("-----BEGIN CERTIFICATE-----")) {
      throw new ConfigException(CERT + " is \"" + path + "\", which holds no PEM certificate "
          + "(-----BEGIN CERTIFICATE-----)");
    }
  }

  private static void checkKey(Path path) {
    String pem = text(KEY, path);
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new ConfigException(KEY + " is \"" + path + "\", which holds an encrypted private key; Nudge needs "
          + "it unencrypted (openssl pkey -in encrypted.pem -out key.pem)");
    }
    if (!pem.matches("(?s).*-----BEGIN (RSA |EC )?PRIVATE KEY-----.*")) {
      throw new ConfigException(KEY + " is \"" + path + "\", which holds no PEM private key "
          + "(-----BEGIN PRIVATE KEY-----)");
    }
  }

  private static String text(String name, Path path) {
    try {
      return new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new ConfigException(name + " is \"" + path + "\", which cannot be read: " + e.getMessage());
    }
  }
}
