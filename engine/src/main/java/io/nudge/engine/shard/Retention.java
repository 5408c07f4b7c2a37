package io.nudge.engine.shard;

import io.nudge.engine.decision.DecisionLog;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.journey.JourneySession;
import io.nudge.engine.store.EngineStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Purges what is kept longer than its retention: journeys with no event (and no contact) for longer
 * than the journey retention, with their timelines; decisions older than the decision retention, with
 * their outcomes. Identity links and consent stay: a returning customer is still recognised, and
 * their choices still apply.
 */
final class Retention {
  /** Customers looked at per shard task, so events keep flowing between the tasks. */
  private static final int SLICE = 1000;

  private final EngineStore store;
  private final Shard[] shards;
  private final IdentityRegistry identities;

  Retention(EngineStore store, Shard[] shards, IdentityRegistry identities) {
    this.store = store;
    this.shards = shards;
    this.identities = identities;
  }

  /** Purges journeys idle since before {@code now - journeys} and decisions made before {@code now - decisions}. */
  Map<String, Integer> purge(long now, Duration journeys, Duration decisions) {
    long idleSince = now - journeys.toMillis();
    int[] purged = new int[2]; // journeys, timeline entries
    for (Shard shard : shards) {
      List<String> customers = onShard(shard, session -> List.copyOf(session.customerIds()));
      for (int from = 0; from < customers.size(); from += SLICE) {
        List<String> slice = customers.subList(from, Math.min(customers.size(), from + SLICE));
        int[] slicePurged = onShard(shard, session -> purgeIdle(session, slice, idleSince));
        purged[0] += slicePurged[0];
        purged[1] += slicePurged[1];
      }
    }
    DecisionLog.Removed old = store.decisions().purgeBefore(now - decisions.toMillis());
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("journeys", purged[0]);
    counts.put("timeline", purged[1]);
    counts.put("decisions", old.decisions());
    counts.put("outcomes", old.outcomes());
    return counts;
  }

  /**
   * On the shard's thread, which also writes the timeline: an event that arrives after the journey is
   * removed starts a new journey and its entry stays.
   */
  private int[] purgeIdle(JourneySession session, List<String> customers, long idleSince) {
    int[] purged = new int[2];
    for (String customerId : customers) {
      Optional<Journey> j = session.journey(customerId);
      if (j.isEmpty() || Math.max(j.get().getLastEventAt(), j.get().getLastContactAt()) >= idleSince) {
        continue;
      }
      session.remove(customerId); // its snapshot is deleted at the shard's next save
      purged[0]++;
      purged[1] += store.timeline().erase(customerId);
      for (String merged : identities.mergedInto(customerId)) {
        purged[1] += store.timeline().erase(merged);
      }
    }
    return purged;
  }

  private static <T> T onShard(Shard shard, Function<JourneySession, T> task) {
    CompletableFuture<T> done = new CompletableFuture<>();
    shard.enqueue(session -> {
      try {
        done.complete(task.apply(session));
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        throw e;
      }
    });
    return done.join();
  }
}
