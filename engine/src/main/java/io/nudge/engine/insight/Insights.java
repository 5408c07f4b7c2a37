package io.nudge.engine.insight;

import io.nudge.engine.Checks;
import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.store.EventLog;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.TimelineStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an operator's dashboard asks of the stores over a time range: how engagements performed
 * ({@link #performance}) and the common paths through the site ({@link #paths}). Computed from what is
 * kept on disk when asked, so the answers survive a restart; plain maps, ready for JSON. Thread-safe.
 *
 * <p>Each query reads a bounded amount: {@link #performance} reads the decisions kept (the decision
 * retention bounds them) and at most {@link #MAX_BUCKETS} buckets; {@link #paths} reads at most
 * {@link #MAX_EVENTS} logged events.
 */
public final class Insights {
  /** Buckets a performance answer may hold. */
  public static final int MAX_BUCKETS = 1000;
  /** The shortest bucket. */
  public static final Duration MIN_BUCKET = Duration.ofMinutes(1);
  /** Logged events a paths answer may read. */
  public static final int MAX_EVENTS = 200_000;
  /** Steps a path may have, at most. */
  public static final int MAX_STEPS = 10;
  /** Paths an answer may list, at most. */
  public static final int MAX_TOP = 100;

  private final DecisionLog decisions;
  private final TimelineStore timeline;
  private final EventLog events;
  private final Duration sessionTimeout;

  private Insights(DecisionLog decisions, TimelineStore timeline, EventLog events, Duration sessionTimeout) {
    this.decisions = decisions;
    this.timeline = timeline;
    this.events = events;
    this.sessionTimeout = sessionTimeout;
  }

  /**
   * @param sessionTimeout a visit ends after this long without events; it is also the conversion window
   *     after an engagement
   */
  public static Insights create(DecisionLog decisions, TimelineStore timeline, EventLog events,
      Duration sessionTimeout) {
    Checks.checkArgument(sessionTimeout.compareTo(Duration.ZERO) > 0, "sessionTimeout is %s, must be positive",
        sessionTimeout);
    return new Insights(decisions, timeline, events, sessionTimeout);
  }

  /**
   * Engagements decided in {@code [from, to)}, per bucket of {@code bucket}, per rule and per type:
   * offered, accepted, declined, ignored, converted; suppressions by reason; per rule the holdout uplift.
   * See {@link Performance} for the definitions.
   *
   * @throws io.nudge.engine.InvalidInputException when the range is empty, the bucket is shorter than
   *     {@link #MIN_BUCKET}, or the range holds more than {@link #MAX_BUCKETS} buckets
   */
  public Map<String, Object> performance(Instant from, Instant to, Duration bucket) {
    checkRange(from, to);
    Checks.checkArgument(bucket.compareTo(MIN_BUCKET) >= 0, "bucket is %s, must be at least 1m", format(bucket));
    long count = Performance.bucketCount(from, to, bucket);
    Checks.checkArgument(count <= MAX_BUCKETS, "from %s to %s in buckets of %s is %d buckets, over the %d "
        + "limit: widen the bucket or narrow the range", from, to, format(bucket), count, MAX_BUCKETS);
    return new Performance(from, to, bucket, sessionTimeout).compute(decisions, timeline);
  }

  /**
   * The most common paths through the site in {@code [from, to)}: each visit's first {@code steps} steps
   * (normalised page paths and the engagements sent among them), the {@code top} most frequent of them,
   * and the Sankey nodes and links they make. See {@link JourneyPaths}.
   *
   * @throws io.nudge.engine.InvalidInputException when the range is empty or holds more than
   *     {@link #MAX_EVENTS} logged events, or {@code steps} or {@code top} is out of bounds
   */
  public Map<String, Object> paths(Instant from, Instant to, int steps, int top) {
    checkRange(from, to);
    Checks.checkArgument(steps >= 2 && steps <= MAX_STEPS, "steps is %d, must be 2 to %d", steps, MAX_STEPS);
    Checks.checkArgument(top >= 1 && top <= MAX_TOP, "top is %d, must be 1 to %d", top, MAX_TOP);
    long first = events.firstSequenceAtOrAfter(from.toEpochMilli());
    long end = events.firstSequenceAtOrAfter(to.toEpochMilli());
    Checks.checkArgument(end - first <= MAX_EVENTS, "from %s to %s holds %d events, over the %d a paths query "
        + "may read: narrow the range", from, to, end - first, MAX_EVENTS);
    List<LoggedEvent> read = new ArrayList<>();
    if (end > first) {
      try {
        events.replay(first, le -> {
          if (le.sequence() >= end) {
            throw EndOfRange.INSTANCE; // the log has no bounded replay: stop reading at the range's end
          }
          read.add(le);
        });
      } catch (EndOfRange reached) {
        // read up to the end of the range
      }
    }
    JourneyPaths paths = new JourneyPaths(steps, top, sessionTimeout);
    Map<String, Object> out = paths.compute(read, Performance.sentBetween(decisions, from, to));
    out.put("from", from.toString());
    out.put("to", to.toString());
    out.put("maxEvents", MAX_EVENTS);
    return out;
  }

  /** Ends a replay early; no stack trace, it is not an error. */
  private static final class EndOfRange extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final EndOfRange INSTANCE = new EndOfRange();

    private EndOfRange() {
      super(null, null, false, false);
    }
  }

  private static void checkRange(Instant from, Instant to) {
    Checks.checkArgument(from.isBefore(to), "from %s is not before to %s", from, to);
  }

  /** A duration as the settings write it: 90s, 15m, 1h, 2d. */
  static String format(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
