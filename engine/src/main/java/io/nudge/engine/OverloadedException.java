package io.nudge.engine;

/**
 * A shard's queue is full: the caller should retry later. Ingestion maps this to HTTP 429 with
 * {@code Retry-After}; Segment-style SDKs retry on it, so nothing is lost.
 */
public final class OverloadedException extends NudgeException {
  private static final long serialVersionUID = 1L;
  private final int retryAfterSeconds;

  public OverloadedException(String message, int retryAfterSeconds) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
