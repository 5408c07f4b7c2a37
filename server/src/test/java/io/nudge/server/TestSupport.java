package io.nudge.server;

import io.nudge.server.config.NudgeConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Starts real Nudge servers for tests (port 0, a fresh data folder, the default rule pack) and talks to them over real HTTP. */
public final class TestSupport {
  public static final String WRITE_KEY = "wk_test";
  public static final String ADMIN = "adm_test";
  public static final String INTEGRATION = "int_test";
  public static final String WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestSupport() {}

  /** The variables of a test server: fixed credentials, two shards, no per-address limit, data in {@code dataDir}. */
  public static Map<String, String> env(Path dataDir) {
    Map<String, String> env = new HashMap<>();
    env.put("NUDGE_PORT", "0");
    env.put("NUDGE_HOST", "127.0.0.1");
    env.put("NUDGE_DATA_DIR", dataDir.toString());
    env.put("NUDGE_RULES_DIR", System.getProperty("nudge.rules.dir", "../rules"));
    env.put("NUDGE_WRITE_KEYS", WRITE_KEY);
    env.put("NUDGE_ADMIN_TOKEN", ADMIN);
    env.put("NUDGE_INTEGRATION_TOKEN", INTEGRATION);
    env.put("NUDGE_WEBHOOK_SECRET", WEBHOOK_SECRET);
    env.put("NUDGE_SHARDS", "2");
    // tests send from one address faster than a visitor would; RateLimitsTest covers the limiter
    env.put("NUDGE_RATE_LIMIT_PER_ADDRESS", "0");
    env.put("NUDGE_POLICY_FILE", testPolicy().toString());
    return env;
  }

  /** The default contact policy with no arbitration window: see test-policy.yaml. */
  public static Path testPolicy() {
    try {
      return Path.of(TestSupport.class.getResource("/test-policy.yaml").toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static NudgeServer startServer() {
    return startServer(env(tempDir()), new ManualClock());
  }

  public static NudgeServer startServer(Map<String, String> env, ManualClock clock) {
    return NudgeServer.start(NudgeConfig.from(env), clock, new PrintStream(OutputStream.nullOutputStream()));
  }

  public static Client client(NudgeServer server) {
    return new Client(server.port());
  }

  public static Path tempDir() {
    try {
      return Files.createTempDirectory("nudge-test");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A real HTTP client with the few requests the tests make. */
  public static final class Client {
    private final String base;

    Client(int port) {
      this.base = "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> postSegment(String path, String writeKey, String json) {
      return send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .header("Authorization", "Basic " + Base64.getEncoder()
              .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
          .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> get(String path, String bearer) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      return send(b.build());
    }

    public HttpResponse<String> put(String path, String bearer, String json) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(json));
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      return send(b.build());
    }

    /** Opens a Server-Sent Events stream; its lines arrive in the returned queue. */
    public BlockingQueue<String> openStream(String path, String bearer) throws InterruptedException {
      return openStreamWith(path, bearer, Map.of());
    }

    /** Opens a stream sending extra headers, such as {@code Last-Event-ID}. */
    public BlockingQueue<String> openStreamWith(String path, String bearer, Map<String, String> headers)
        throws InterruptedException {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
      headers.forEach(b::header);
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      BlockingQueue<Integer> status = new LinkedBlockingQueue<>();
      CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
        status.add(response.statusCode());
        Thread reader = new Thread(() -> {
          try (Stream<String> body = response.body()) {
            body.forEach(lines::add);
          } catch (RuntimeException ignored) {
            // stream closed
          }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
      });
      Integer code = status.poll(10, TimeUnit.SECONDS);
      if (code == null || code != 200) {
        throw new IllegalStateException("stream " + path + " answered " + code);
      }
      return lines;
    }

    public HttpResponse<String> getWithOrigin(String path, String bearer, String origin) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Origin", origin).GET();
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      return send(b.build());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
      return send(request.build());
    }

    public URI uri(String path) {
      return URI.create(base + path);
    }

    private static HttpResponse<String> send(HttpRequest request) {
      try {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
