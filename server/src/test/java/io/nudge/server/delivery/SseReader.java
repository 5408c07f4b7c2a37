package io.nudge.server.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small server-sent events client for tests, on {@code java.net.http}: parses the stream into frames
 * as the EventSource spec does (fields up to a blank line, {@code :} comments, one optional space after
 * the colon), on a reader thread, so a test can wait for the next frame with a timeout.
 */
final class SseReader implements AutoCloseable {

  /** One block up to a blank line: an event (id, event, data) or only comments (id and event null). */
  record Frame(String id, String event, String data, List<String> comments) {
    boolean isEvent() {
      return data != null;
    }
  }

  private static final Frame END = new Frame(null, null, null, List.of("<end of stream>"));
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

  private SseReader(HttpResponse<InputStream> response) {
    this.response = response;
    Thread reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens the stream; returns once the response headers have arrived. */
  static SseReader open(URI uri, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
    headers.forEach(request::header);
    try {
      return new SseReader(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new AssertionError("cannot open " + uri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  int status() {
    return response.statusCode();
  }

  HttpHeaders headers() {
    return response.headers();
  }

  /** The next frame, event or comment, failing the test when none comes in time. */
  Frame next(Duration timeout) {
    Frame frame = poll(timeout);
    if (frame == null) {
      throw new AssertionError("no server-sent event frame within " + timeout);
    }
    return frame;
  }

  /** The next event, skipping comment frames (heartbeats). */
  Frame nextEvent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame frame = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (frame.isEvent() || frame == END) {
        return frame;
      }
    }
  }

  /** Null when nothing arrives within {@code timeout}. */
  Frame poll(Duration timeout) {
    try {
      return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // the reader thread ends either way
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = null;
      List<String> comments = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (data != null || !comments.isEmpty()) {
            frames.add(new Frame(id, event, data == null ? null : data.toString(), List.copyOf(comments)));
          }
          id = null;
          event = null;
          data = null;
          comments.clear();
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        value = value.startsWith(" ") ? value.substring(1) : value;
        switch (field) {
          case "" -> comments.add(value);
          case "id" -> id = value;
          case "event" -> event = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { } // retry and unknown fields: not used by these tests
        }
      }
    } catch (IOException ignored) {
      // closed by the test or the server
    }
    frames.add(END);
  }

  static boolean isEnd(Frame frame) {
    return frame == END;
  }
}
