package io.nudge.server.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One token bucket per key, each {@code perSecond} requests a second with a burst of twice that, safe to
 * call from any thread. A bucket is a single number, the time up to which its tokens are booked (the
 * generic cell rate algorithm): a request books one interval more, and is refused when that would book
 * more than the burst ahead of now. Updates are compare-and-set, so no lock is held on an event loop.
 *
 * <p>Memory is bounded twice over. A bucket whose booking has passed is full, the same as no bucket, so
 * a sweep at most once a second drops those without forgetting anything; and at most {@code maxTracked}
 * keys are kept. Over that cap a new key is let through untracked (and a warning logged, at most once a
 * minute) until a sweep makes room: refusing it would let whoever fills the table shut out every new
 * visitor, and the engine's own queue bound still answers 429 when the whole server is overloaded.
 */
final class TokenBuckets {
  static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
  private static final long WARNING_INTERVAL_NANOS = 60 * 1_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(TokenBuckets.class);

  private final long interval;
  private final long window;
  private final int maxTracked;
  private final String what;
  private final ConcurrentHashMap<String, AtomicLong> bookedUntil = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;
  private final AtomicLong lastWarning;

  /**
   * @param what what the keys are, plural, for the log ("client addresses"); never the keys themselves
   * @param now the clock's reading now, in nanoseconds
   */
  TokenBuckets(int perSecond, int maxTracked, String what, long now) {
    if (perSecond < 1 || perSecond > 1_000_000_000 || maxTracked < 1) {
      throw new IllegalArgumentException("perSecond is " + perSecond + " and maxTracked " + maxTracked
          + "; need 1 to 1000000000 and at least 1");
    }
    this.interval = 1_000_000_000L / perSecond;
    this.window = 2L * perSecond * interval;
    this.maxTracked = maxTracked;
    this.what = what;
    this.lastSweep = new AtomicLong(now);
    this.lastWarning = new AtomicLong(now - WARNING_INTERVAL_NANOS);
  }

  /**
   * Takes a token from {@code key}'s bucket.
   *
   * @param now the clock's reading now, in nanoseconds (compared by difference, so any origin works)
   * @return 0 when the request may go ahead, else the nanoseconds until it could
   */
  long acquire(String key, long now) {
    sweepIfDue(now);
    AtomicLong booked = bookedUntil.get(key);
    if (booked == null) {
      if (bookedUntil.size() >= maxTracked) {
        warnFull(now);
        return 0;
      }
      booked = bookedUntil.computeIfAbsent(key, k -> new AtomicLong(now));
    }
    while (true) {
      long until = booked.get();
      long next = (until - now > 0 ? until : now) + interval;
      long over = next - now - window;
      if (over > 0) {
        return over;
      }
      if (booked.compareAndSet(until, next)) {
        return 0;
      }
    }
  }

  /** Keys tracked now. */
  int size() {
    return bookedUntil.size();
  }

  private void sweepIfDue(long now) {
    long last = lastSweep.get();
    if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
      // A request racing with this may book a bucket just dropped: that one token is forgotten, and the
      // limit is one request more lenient, once.
      bookedUntil.values().removeIf(b -> b.get() - now <= 0);
    }
  }

  private void warnFull(long now) {
    long last = lastWarning.get();
    if (now - last >= WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("rate limits track {} {}, the most they keep; requests from others are not limited this way "
          + "until idle ones are dropped, within a second", maxTracked, what);
    }
  }
}
