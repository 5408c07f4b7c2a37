package io.nudge.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test in its own JVM, so its CPU and heap are its own: the real Nudge
 * ({@code io.nudge.server.Main}) or the bare-ingest baseline, started from this JVM's class path. It
 * is ready when it prints {@code ready on <scheme>://<host>:<port> in <n> ms}.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("ready on \\w+://[^:]+:(\\d+) in (\\d+) ms");
  /** What Nudge prints once its shards caught up on what a start restored. */
  private static final Pattern CAUGHT_UP = Pattern.compile("caught up on the journeys and events it restored in (\\d+) ms");

  private final Process process;
  private final int port;
  private final long startMillis;
  private final CompletableFuture<Long> caughtUp;
  private final List<String> output;

  private ServerProcess(Process process, int port, long startMillis, CompletableFuture<Long> caughtUp,
      List<String> output) {
    this.process = process;
    this.port = port;
    this.startMillis = startMillis;
    this.caughtUp = caughtUp;
    this.output = output;
  }

  /**
   * Starts {@code mainClass} with {@code env} added to this process's environment and waits up to a
   * minute for it to say it is ready.
   */
  static ServerProcess start(String mainClass, List<String> jvmOptions, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Matcher> ready = new CompletableFuture<>();
    CompletableFuture<Long> caughtUp = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          var out = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.write(line);
          out.newLine();
          out.flush();
          if (output.size() < 200) {
            output.add(line);
          }
          Matcher m = READY.matcher(line);
          if (!ready.isDone() && m.find()) {
            ready.complete(m);
          }
          Matcher c = CAUGHT_UP.matcher(line);
          if (!caughtUp.isDone() && c.find()) {
            caughtUp.complete(Long.parseLong(c.group(1)));
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("ended before it was ready"));
      caughtUp.completeExceptionally(new IllegalStateException("ended before it caught up"));
    }, "bench-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      Matcher m = ready.get(60, TimeUnit.SECONDS);
      return new ServerProcess(p, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), caughtUp, output);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException(mainClass + " did not start within 60 s: " + e.getMessage()
          + "; its output (in " + log + "):\n" + String.join("\n", output), e);
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** What the server reported as its start-up time, main to ready. */
  long startMillis() {
    return startMillis;
  }

  /**
   * What the server reported as main to its shards caught up on what it restored (later than ready on
   * a restart: see {@code ShardedEngine.startRecovering}); waits up to ten minutes for it.
   */
  long caughtUpMillis() throws InterruptedException {
    try {
      return caughtUp.get(10, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the server did not say it caught up: " + e.getMessage(), e);
    }
  }

  /** Runs a full GC in the server (jcmd GC.run), so the heap figures after it are the live set. */
  void collectGarbage() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(60, TimeUnit.SECONDS)) {
      gc.destroyForcibly();
      throw new IllegalStateException("jcmd " + pid() + " GC.run did not finish within 60 s");
    }
  }

  /**
   * SIGTERM, so the server stops cleanly; killed after 30 s. Sent through the process handle: {@code
   * Process.destroy()} would also close the server's output, and its last lines ("Nudge stopped in
   * ...") would not reach the log. How the stop went is printed.
   */
  @Override
  public void close() throws InterruptedException {
    long stopping = System.nanoTime();
    process.toHandle().destroy();
    boolean stopped = process.waitFor(30, TimeUnit.SECONDS);
    if (!stopped) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    System.out.printf("bench: server %d %s in %d ms (exit %d)%n", process.pid(),
        stopped ? "stopped" : "did not stop within 30 s and was killed", (System.nanoTime() - stopping) / 1_000_000,
        process.exitValue());
  }
}
