package io.nudge.server.ingest;

import io.nudge.server.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads a request body into memory with a hard cap, answering with our own JSON 413 as soon as the
 * cap is passed (vertx-web's {@code BodyHandler} answers 413 without a body). Must be started
 * before the handler returns for the first time, while the request has not been read.
 */
final class BoundedBody {
  private final IngestLimits limits;

  BoundedBody(IngestLimits limits) {
    this.limits = limits;
  }

  /** The Content-Length, checked against the limit before any byte is read; -1 when not given. */
  long checkDeclaredLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared;
    try {
      declared = header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("content length \"" + header + "\" is not a number");
    }
    if (declared > limits.maxRequestBytes()) {
      throw ApiError.tooLarge("request body is " + declared + " bytes, over the " + limits.maxRequestBytes()
          + "-byte limit (" + IngestLimits.MAX_REQUEST_BYTES + ")");
    }
    return declared;
  }

  /**
   * The whole body. Fails with a 413 {@link ApiError} once more than the limit has arrived; the rest
   * is then read and dropped, so the connection stays usable and the client sees the answer.
   */
  Future<Buffer> read(RoutingContext ctx, long declaredLength) {
    if (ctx.body().available()) {
      // a BodyHandler mounted before us has read it already (and applied its own limit)
      Buffer body = ctx.body().buffer();
      return Future.succeededFuture(body == null ? Buffer.buffer() : body);
    }
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return Future.succeededFuture(Buffer.buffer());
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() != HttpVersion.HTTP_1_0) {
      ctx.response().writeContinue();
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer((int) Math.min(Math.max(declaredLength, 1024), limits.maxRequestBytes()));
    boolean[] over = {false};
    request.handler(chunk -> {
      if (over[0]) {
        return;
      }
      if (body.length() + chunk.length() > limits.maxRequestBytes()) {
        over[0] = true;
        promise.tryFail(ApiError.tooLarge("request body is over the " + limits.maxRequestBytes()
            + "-byte limit (" + IngestLimits.MAX_REQUEST_BYTES + ")"));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> promise.tryComplete(body));
    // the client went away or broke the framing; if it can still hear us, it gets a 400
    request.exceptionHandler(t -> promise.tryFail(ApiError.badRequest("request body could not be read")));
    request.resume();
    return promise.future();
  }

  /**
   * Gunzips the body, stopping as soon as the output passes the request limit, so a small "gzip
   * bomb" costs at most the limit in memory.
   */
  byte[] gunzip(byte[] compressed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(compressed.length * 4, limits.maxRequestBytes()));
    byte[] chunk = new byte[8192];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (out.size() + n > limits.maxRequestBytes()) {
          throw ApiError.tooLarge("request body is over the " + limits.maxRequestBytes()
              + "-byte limit (" + IngestLimits.MAX_REQUEST_BYTES + ") once decompressed");
        }
        out.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw ApiError.badRequest("body is not valid gzip");
    }
    return out.toByteArray();
  }
}
