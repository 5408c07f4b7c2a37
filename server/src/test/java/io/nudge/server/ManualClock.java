package io.nudge.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** An engine clock the test moves by hand; the shards' ticks read it, so rule timers follow it. */
public final class ManualClock implements InstantSource {
  private final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }
}
