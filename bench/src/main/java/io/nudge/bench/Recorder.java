package io.nudge.bench;

import java.util.Arrays;

/** Durations in nanoseconds, kept whole so percentiles are exact; thread-safe. */
final class Recorder {
  private long[] values = new long[1024];
  private int size;

  synchronized void record(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  synchronized int count() {
    return size;
  }

  /** p50, p95, p99 and p99.9 in milliseconds (nearest rank); empty when nothing was recorded. */
  synchronized double[] percentiles() {
    if (size == 0) {
      return new double[0];
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    double[] ranks = {0.50, 0.95, 0.99, 0.999};
    double[] out = new double[ranks.length];
    for (int i = 0; i < ranks.length; i++) {
      int index = (int) Math.ceil(ranks[i] * size) - 1;
      out[i] = sorted[Math.max(0, Math.min(size - 1, index))] / 1e6;
    }
    return out;
  }
}
