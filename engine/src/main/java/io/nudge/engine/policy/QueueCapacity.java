package io.nudge.engine.policy;

import io.nudge.engine.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents free per queue, as the contact centre last reported them. A chat is not offered to a
 * queue with no free agent or a wait over its limit. A report older than {@link #STALE_AFTER} no
 * longer counts: the queue is treated as if it never reported, and chats go out. Thread-safe.
 */
public final class QueueCapacity {
  /** A report this old is not trusted any more. */
  public static final Duration STALE_AFTER = Duration.ofMinutes(10);

  /** One report: free agents and expected wait, at a time. */
  public record Report(String queue, int availableAgents, Duration expectedWait, Instant reportedAt) {
    public Report {
      Checks.checkArgument(availableAgents >= 0, "availableAgents is %d, must not be negative", availableAgents);
      Checks.checkArgument(!expectedWait.isNegative(), "expectedWait is %s, must not be negative", expectedWait);
    }
  }

  private final Map<String, Report> reports = new ConcurrentHashMap<>();

  public void report(Report r) {
    reports.put(r.queue(), r);
  }

  /** The latest report of {@code queue}, if it is recent enough to trust at {@code now}. */
  public Optional<Report> current(String queue, Instant now) {
    Report r = reports.get(queue);
    if (r == null || r.reportedAt().plus(STALE_AFTER).isBefore(now)) {
      return Optional.empty();
    }
    return Optional.of(r);
  }

  /** Every queue's latest report, recent or not. */
  public Map<String, Report> all() {
    return Map.copyOf(reports);
  }
}
