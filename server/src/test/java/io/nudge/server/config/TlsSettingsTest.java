package io.nudge.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nudge.server.TestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

final class TlsSettingsTest {
  private static final String CERT_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  private static final String KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

  private final Path dir = TestSupport.tempDir();
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void neither_meansPlainHttp_andLeavesTheOptionsAlone() {
    TlsSettings tls = TlsSettings.from(env("NUDGE_TLS_CERT", " ", "NUDGE_PORT", "8443"));
    HttpServerOptions options = new HttpServerOptions();

    tls.apply(options);

    assertThat(tls.enabled()).isFalse();
    assertThat(tls.scheme()).isEqualTo("http");
    assertThat(options.isSsl()).isFalse();
    assertThat(options.getKeyCertOptions()).isNull();
  }

  @Test
  void both_turnOnTlsWithThePemFiles() throws IOException {
    Path cert = write("cert.pem", CERT_PEM);
    Path key = write("key.pem", KEY_PEM);
    TlsSettings tls = TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY", key.toString()));
    HttpServerOptions options = new HttpServerOptions();

    tls.apply(options);

    assertThat(tls.enabled()).isTrue();
    assertThat(tls.scheme()).isEqualTo("https");
    assertThat(options.isSsl()).isTrue();
    assertThat(options.getKeyCertOptions()).isInstanceOfSatisfying(PemKeyCertOptions.class, pem -> {
      assertThat(pem.getCertPaths()).containsExactly(cert.toString());
      assertThat(pem.getKeyPaths()).containsExactly(key.toString());
    });
  }

  @Test
  void oneWithoutTheOther_namesBothVariables() throws IOException {
    Path cert = write("cert.pem", CERT_PEM);
    Path key = write("key.pem", KEY_PEM);

    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("NUDGE_TLS_CERT is set but NUDGE_TLS_KEY is not; HTTPS needs both NUDGE_TLS_CERT and "
            + "NUDGE_TLS_KEY, or neither");
    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_KEY", key.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("NUDGE_TLS_KEY is set but NUDGE_TLS_CERT is not; HTTPS needs both NUDGE_TLS_CERT and "
            + "NUDGE_TLS_KEY, or neither");
  }

  @Test
  void missingFileOrFolder_namesTheVariableAndThePath() throws IOException {
    Path cert = write("cert.pem", CERT_PEM);
    Path key = write("key.pem", KEY_PEM);
    String missing = dir.resolve("nope.pem").toString();

    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", missing, "NUDGE_TLS_KEY", key.toString())))
        .hasMessage("NUDGE_TLS_CERT is \"" + missing + "\", which does not exist");
    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY", missing)))
        .hasMessage("NUDGE_TLS_KEY is \"" + missing + "\", which does not exist");
    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY",
        dir.toString()))).hasMessage("NUDGE_TLS_KEY is \"" + dir + "\", which is not a file");
  }

  @Test
  void unreadableFile_namesTheVariableAndThePath() throws IOException {
    Path cert = write("cert.pem", CERT_PEM);
    Path key = write("key.pem", KEY_PEM);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
    Assumptions.assumeFalse(Files.isReadable(key), "running as root, who may read any file");

    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY",
        key.toString()))).hasMessage("NUDGE_TLS_KEY is \"" + key + "\", which Nudge may not read (check its "
            + "permissions)");
  }

  @Test
  void swappedOrEncryptedFiles_areRefusedAtStartUp() throws IOException {
    Path cert = write("cert.pem", CERT_PEM);
    Path key = write("key.pem", KEY_PEM);
    Path encrypted = write("encrypted.pem",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", key.toString(), "NUDGE_TLS_KEY",
        cert.toString()))).hasMessage("NUDGE_TLS_CERT is \"" + key + "\", which holds no PEM certificate "
            + "(-----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY",
        cert.toString()))).hasMessage("NUDGE_TLS_KEY is \"" + cert + "\", which holds no PEM private key "
            + "(-----BEGIN PRIVATE KEY-----)");
    assertThatThrownBy(() -> TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY",
        encrypted.toString()))).hasMessage("NUDGE_TLS_KEY is \"" + encrypted + "\", which holds an encrypted "
            + "private key; Nudge needs it unencrypted (openssl pkey -in encrypted.pem -out key.pem)");
  }

  @Test
  void https_withASelfSignedCertificate_answersAClientThatTrustsIt() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Assumptions.assumeTrue(openssl(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")),
        "openssl is not on the PATH: it makes the certificate for the HTTPS round trip");
    TlsSettings tls = TlsSettings.from(env("NUDGE_TLS_CERT", cert.toString(), "NUDGE_TLS_KEY", key.toString()));
    HttpServerOptions options = new HttpServerOptions();
    tls.apply(options);
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> ctx.json(Map.of("status", "up")));
    HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
    HttpRequest live = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.actualPort() + "/health/live"))
        .build();

    HttpResponse<String> r = client(trusting(cert)).send(live, HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"up\"}");
    assertThatThrownBy(() -> client(SSLContext.getDefault()).send(live, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  private static HttpClient client(SSLContext ssl) {
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A TLS context that trusts the one certificate in {@code pem}, as a client of a private server would. */
  private static SSLContext trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      store.setCertificateEntry("nudge", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, trust.getTrustManagers(), null);
    return ssl;
  }

  /** Runs openssl; false when it is not installed. */
  private static boolean openssl(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return false;
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + args + " failed: " + output);
    }
    return true;
  }
}
