package io.nudge.server.fuzz;

import io.nudge.server.fuzz.FuzzCase.Header;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends fuzz cases with {@code java.net.http}, or over a plain socket when a case says so; never waits forever. */
final class FuzzClient {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final int port;
  private final HttpClient http;
  private final RawHttp raw;

  FuzzClient(int port) {
    this.port = port;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.raw = new RawHttp(port, (int) TIMEOUT.toMillis());
  }

  /**
   * @throws IllegalArgumentException when {@code java.net.http} refuses the path or a header
   * @throws TimeoutException when the whole answer has not come within {@link #TIMEOUT}
   */
  Answer send(FuzzCase c) throws IOException, TimeoutException {
    if (c.raw()) {
      try {
        return raw.send(c);
      } catch (SocketTimeoutException e) {
        throw new TimeoutException("raw request: " + e.getMessage());
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.path())).timeout(TIMEOUT);
    boolean bodiless = c.body().length == 0 && List.of("GET", "HEAD", "DELETE", "OPTIONS").contains(c.method());
    b.method(c.method(), bodiless ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
    for (Header h : c.headers()) {
      b.header(h.name(), h.value());
    }
    HttpRequest request = b.build();
    try {
      HttpResponse<byte[]> r = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .get(TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
      return new Answer(r.statusCode(), headers, r.body());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException t) {
        throw new TimeoutException(t.getMessage());
      }
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Sends a case that must be sendable and answered; for the fixed tests, where anything else is a failure. */
  Answer answer(FuzzCase c) {
    try {
      return send(c);
    } catch (IOException | TimeoutException e) {
      throw new AssertionError("no answer to " + c.describe(), e);
    }
  }

  static FuzzCase post(String path, String contentEncoding, byte[] body) {
    List<Header> h = FuzzCases.headers("Authorization", FuzzCases.basic(io.nudge.server.TestSupport.WRITE_KEY),
        "Content-Type", "application/json");
    if (contentEncoding != null) {
      h.add(new Header("Content-Encoding", contentEncoding));
    }
    return new FuzzCase("fixed", FuzzCase.Target.INGEST, "POST", path, h, body, FuzzCase.Expect.anything(), false);
  }

  static FuzzCase putConsent(String id, String contentType, byte[] body) {
    List<Header> h = FuzzCases.headers("Authorization", "Bearer " + io.nudge.server.TestSupport.ADMIN);
    if (contentType != null) {
      h.add(new Header("Content-Type", contentType));
    }
    return new FuzzCase("fixed", FuzzCase.Target.CONSENT_PUT, "PUT", "/v1/customers/" + AdminCases.segment(id)
        + "/consent", h, body, FuzzCase.Expect.anything(), false);
  }

  static FuzzCase get(String path) {
    return new FuzzCase("fixed", FuzzCase.Target.ADMIN_GET, "GET", path,
        FuzzCases.headers("Authorization", "Bearer " + io.nudge.server.TestSupport.ADMIN), new byte[0],
        FuzzCase.Expect.anything(), false);
  }
}
