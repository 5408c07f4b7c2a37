package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.Decision;
import io.nudge.engine.RulePack;
import io.nudge.engine.policy.ContactPolicy;
import io.nudge.engine.policy.QueueRules;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The consent property of issue 5: whatever the consent, whatever the customer does, the default rules
 * never get an engagement out without the consent its type needs ({@code proactive_chat},
 * {@code callback}, {@code personalization} for a tip), and a suppression for consent names a purpose
 * that really was not granted.
 *
 * <p>Each case ({@link ConsentCase}) is one customer with a random consent default (one engine per
 * default), a random initial consent per purpose and a random stream of events meant to make the
 * rules fire, with consent changed along the way through the API, {@code context.consent} and privacy
 * signals. Every decision is checked against {@link ConsentOracle}, which tracks the choices itself.
 *
 * <p>Why the whole engine ({@link SteppedEngine}) rather than a {@code JourneySession} with a gate: the
 * consent a gate reads is written by the engine — from the API, from each event's context before the
 * event is applied, copied on a merge of two devices, kept apart for visitors served from memory
 * only — and each of those paths can let an engagement out. Determinism comes from a clock only the
 * test moves, one shard, events applied one at a time ({@code Ack.APPLIED}), and after every move of the
 * clock an event that makes the shard catch up before anything else changes, so idle timers and
 * arbitration windows are decided at a known point. One case takes a few milliseconds.
 *
 * <p>{@code -Dnudge.property.seed} (default {@value #DEFAULT_SEED}) and {@code -Dnudge.property.cases}
 * (default {@value #DEFAULT_CASES} per test) choose the run; a failure names its seed and case, and
 * {@code -Dnudge.property.case=<n>} replays that case alone: each case draws from its own generator and
 * starts on its own day.
 */
final class ConsentPropertyTest {
  private static final long DEFAULT_SEED = 20261123L;
  private static final int DEFAULT_CASES = 2500;
  private static final long SEED = Long.getLong("nudge.property.seed", DEFAULT_SEED);
  private static final int CASES = Integer.getInteger("nudge.property.cases", DEFAULT_CASES);
  private static final Integer ONLY = Integer.getInteger("nudge.property.case");
  /** Runs every case even after one failed, and reports how many failed; for triage. */
  private static final boolean KEEP_GOING = Boolean.getBoolean("nudge.property.keepGoing");
  private static final Instant DAY_ONE = Instant.parse("2026-01-05T00:00:00Z");
  private static final RulePack RULES = RulePack.load(Path.of(System.getProperty("nudge.rules.dir", ".")));

  @Test
  void noContactPolicy_sentOnlyWithConsent_suppressedOnlyForMissingConsentOrArbitration() {
    Tally tally = run("no contact policy", ContactPolicy.none(), true);

    assertMeaningful(tally);
    assertThat(tally.suppressed.keySet()).as("with no contact policy only consent and arbitration suppress")
        .allMatch(reason -> reason.startsWith("consent:") || reason.equals("arbitration"));
  }

  @Test
  void contactPolicy_engagementNeverSentWithoutConsent_consentCheckedFirst() {
    Tally tally = run("default contact policy, sales open on weekdays, a holdout", policyWithHoursAndHoldout(), false);

    assertMeaningful(tally);
    assertThat(tally.suppressed.keySet()).as("the policy suppressed some for its own reasons")
        .anyMatch(reason -> !reason.startsWith("consent:"));
    assertThat(tally.sentByReason).as("chats to closed sales downgraded to tips").containsKey("downgraded:closed");
  }

  private static Tally run(String name, ContactPolicy policy, boolean consentOnly) {
    Tally tally = new Tally();
    long started = System.nanoTime();
    Map<ConsentDefault, SteppedEngine> engines = new EnumMap<>(ConsentDefault.class);
    try {
      for (ConsentDefault d : ConsentDefault.values()) {
        engines.put(d, SteppedEngine.start(RULES, policy, d, DAY_ONE));
      }
      int from = ONLY == null ? 0 : ONLY;
      int to = ONLY == null ? CASES : ONLY + 1;
      for (int i = from; i < to; i++) {
        Random random = new Random(mix(SEED, i));
        ConsentDefault whenUnset = random.nextBoolean() ? ConsentDefault.OPT_IN : ConsentDefault.OPT_OUT;
        SteppedEngine engine = engines.get(whenUnset);
        // each case on its own day, at a random hour, so it replays alone as it ran among the others
        engine.advanceTo(DAY_ONE.plus(Duration.ofDays(i)).toEpochMilli() + random.nextInt(20 * 3600) * 1000L);
        String label = "seed " + SEED + ", case " + i + " (" + name + ", " + whenUnset.name().toLowerCase(Locale.ROOT)
            + "; replay with -Dnudge.property.seed=" + SEED + " -Dnudge.property.case=" + i + ")";
        try {
          new ConsentCase(engine, random, i, label, tally, consentOnly).play();
        } catch (AssertionError failure) {
          if (!KEEP_GOING) {
            throw failure;
          }
          tally.failures.add(failure.getMessage());
          System.out.println(failure.getMessage());
          engine.runOut(); // what the failed case left waiting must not be decided in the next
        }
      }
    } finally {
      engines.values().forEach(SteppedEngine::close);
    }
    System.out.printf("consent property, %s, seed %d: %s in %.1f s%n", name, SEED, tally,
        (System.nanoTime() - started) / 1e9);
    assertThat(tally.failures).as("%d cases failed, the first:%n%s", tally.failures.size(),
        tally.failures.isEmpty() ? "" : tally.failures.get(0)).isEmpty();
    assertThat(tally.cases).isEqualTo(ONLY == null ? CASES : 1);
    return tally;
  }

  /** The generator reached every type, sent and suppressed for consent, so the property said something. */
  private static void assertMeaningful(Tally tally) {
    if (ONLY != null) {
      return;
    }
    int least = Math.max(1, tally.cases / 50);
    for (String type : List.of("proactive_chat", "callback", "tip")) {
      assertThat(tally.sentByType.getOrDefault(type, 0)).as("%s sent", type).isGreaterThanOrEqualTo(least);
    }
    for (String purpose : List.of("proactive_chat", "callback", "personalization")) {
      assertThat(tally.suppressed.getOrDefault("consent:" + purpose, 0)).as("suppressed for consent:%s", purpose)
          .isGreaterThanOrEqualTo(least);
    }
    assertThat(tally.unjudged).as("decisions the oracle could not judge").isLessThanOrEqualTo(tally.decisions / 20);
  }

  /** The default policy, with the sales queue open 09:00-17:00 UTC on weekdays and a 30% holdout on cancel-intent. */
  private static ContactPolicy policyWithHoursAndHoldout() {
    ContactPolicy d = ContactPolicy.defaults();
    Map<DayOfWeek, List<QueueRules.Opening>> week = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek day : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY,
        DayOfWeek.FRIDAY)) {
      week.put(day, List.of(new QueueRules.Opening(LocalTime.of(9, 0), LocalTime.of(17, 0))));
    }
    return new ContactPolicy(d.caps(), d.cooldowns(), d.quietHours(),
        Map.of("sales", new QueueRules(ZoneId.of("UTC"), week, Set.of(), null)), Map.of("cancel-intent", 30),
        d.arbitrationWindow(), d.activeChat(), d.pendingCallback());
  }

  /** SplitMix64 of the seed and the case number: unrelated generators for neighbouring cases. */
  private static long mix(long seed, long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** What a run did, printed with its result. */
  static final class Tally {
    int cases;
    long events;
    long apiChoices;
    long eventChoices;
    long signals;
    long decisions;
    long unjudged;
    /** Of every decision's customer, rule, outcome, reason and time: equal on two runs of one seed. */
    long digest = 17;
    final Map<String, Integer> sentByType = new TreeMap<>();
    final Map<String, Integer> sentByReason = new TreeMap<>();
    final Map<String, Integer> suppressed = new TreeMap<>();
    final List<String> failures = new ArrayList<>();

    void count(Decision d) {
      decisions++;
      digest = digest * 31 + Objects.hash(d.engagement().customerId(), d.engagement().rule(),
          d.engagement().type().id(), d.outcome().id(), d.reason(), d.decidedAt());
      if (d.sent()) {
        sentByType.merge(d.engagement().type().id(), 1, Integer::sum);
        sentByReason.merge(d.reason(), 1, Integer::sum);
      } else {
        suppressed.merge(d.reason(), 1, Integer::sum);
      }
    }

    @Override
    public String toString() {
      return cases + " cases, " + events + " events, consent changed " + apiChoices + " times through the API, "
          + eventChoices + " in events, " + signals + " by privacy signals; " + decisions + " decisions, sent "
          + sentByType + " " + sentByReason + ", suppressed " + suppressed + ", not judged " + unjudged
          + " (digest " + Long.toHexString(digest) + ")";
    }
  }
}
