package io.nudge.server.delivery;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting in tests: for a Vert.x future, or for a condition other threads make true. */
final class Await {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Await() {}

  static <T> T result(Future<T> future) {
    try {
      return future.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after %s waiting until %s", TIMEOUT, what);
      }
      sleep(5);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
