package io.nudge.server.reliability;

import io.nudge.server.TestSupport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A Nudge server in its own process, as an operator runs it, that a test can kill with SIGKILL. */
final class ServerProcess {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  final int port;
  final Path log;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts {@code io.nudge.server.Main} and waits until {@code /health/ready} answers. */
  static ServerProcess start(Path dataDir, int port, Map<String, String> extraEnv) throws Exception {
    return start(dataDir, port, extraEnv, "512m");
  }

  /** Starts with a heap of at most {@code maxHeap} (a {@code -Xmx} value). */
  static ServerProcess start(Path dataDir, int port, Map<String, String> extraEnv, String maxHeap)
      throws Exception {
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), "io.nudge.server.Main")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("NUDGE_"));
    pb.environment().putAll(TestSupport.env(dataDir));
    pb.environment().put("NUDGE_PORT", Integer.toString(port));
    pb.environment().put("NUDGE_RULES_DIR",
        Path.of(System.getProperty("nudge.rules.dir", "../rules")).toAbsolutePath().toString());
    pb.environment().putAll(extraEnv);
    ServerProcess server = new ServerProcess(pb.start(), port, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.process.isAlive()) {
        throw new IllegalStateException("server exited with " + server.process.exitValue() + ", see " + log);
      }
      try {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(server.base() + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(50);
    }
    server.process.destroyForcibly();
    throw new IllegalStateException("server not ready within 60 s, see " + log);
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the graceful path; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return java.nio.file.Files.readString(log);
  }
}
