package io.nudge.server.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Nudge cluster node in a JVM of its own ({@code io.nudge.server.Main} on this test's class path),
 * its console (stdout and stderr) in a log file. {@link #kill} is {@code kill -9}: nothing of the node
 * runs after it, no shutdown hook, no save.
 */
final class NodeProcess implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final String id;
  private final int port;
  private final Path log;
  private final Process process;

  private NodeProcess(String id, int port, Path log, Process process) {
    this.id = id;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code io.nudge.server.Main} with {@code env} in place of this JVM's {@code NUDGE_*} variables (which must set
   * {@code NUDGE_NODE_ID} and {@code NUDGE_PORT}) in {@code workDir}; returns at once, see {@link #awaitReady}.
   */
  static NodeProcess launch(Map<String, String> env, Path workDir, Path log) {
    String javaBin = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBin, "-Xmx768m",
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn",
        "-cp", System.getProperty("java.class.path"), "io.nudge.server.Main"));
    pb.environment().keySet().removeIf(k -> k.startsWith("NUDGE_")); // only the settings given
    pb.environment().putAll(env);
    pb.directory(workDir.toFile()); // no nudge.properties of the module's folder is read
    pb.redirectErrorStream(true);
    try {
      Files.createDirectories(log.getParent());
      pb.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
      return new NodeProcess(env.get("NUDGE_NODE_ID"), Integer.parseInt(env.get("NUDGE_PORT")), log, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + env.get("NUDGE_NODE_ID") + " with " + javaBin, e);
    }
  }

  /** A port free now (it may be taken again before the node listens on it: rare enough on a test host). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the node's console says it is ready on its port; fails with the log's end otherwise. */
  void awaitReady() {
    String ready = "Nudge node " + id + " is ready on http://127.0.0.1:" + port + " ";
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      if (read().lines().anyMatch(l -> l.startsWith(ready))) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError("node " + id + " exited with " + process.exitValue() + " before it was ready; "
            + "its log " + log + " ends:\n" + tail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " did not print \"" + ready.trim() + "\" within "
            + READY_TIMEOUT.toSeconds() + " s; its log " + log + " ends:\n" + tail(40));
      }
      pause(100);
    }
  }

  String id() {
    return id;
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("node " + id + " still runs 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while killing node " + id, e);
    }
  }

  /** SIGTERM (the node saves and leaves the cluster), SIGKILL when it is not gone within 30 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The last {@code lines} lines of the node's log. */
  String tail(int lines) {
    List<String> all = read().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** The node's log lines that contain {@code text}. */
  List<String> logLines(String text) {
    return read().lines().filter(l -> l.contains(text)).toList();
  }

  private String read() {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return id + " (port " + port + ", log " + log + ")";
  }
}
