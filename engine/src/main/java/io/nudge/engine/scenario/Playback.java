package io.nudge.engine.scenario;

import io.nudge.engine.ConsentDefault;
import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import io.nudge.engine.consent.ConsentGate;
import io.nudge.engine.consent.MemoryConsentStore;
import io.nudge.engine.journey.JourneySession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

/**
 * Plays one scenario through a real {@link JourneySession} on a pseudo clock, behind the real
 * {@link ConsentGate}: what the rules fired, and what the gate sent and suppressed.
 */
final class Playback {
  /** A Monday at 10:00 UTC, so nothing depends on the day the tests run. */
  static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final Duration VISIT_TIMEOUT = Duration.ofMinutes(30);
  /**
   * The clock moves in ticks, as a shard's does, so an absence rule fires when its time comes, not when
   * the next event arrives: every second for an hour after an event, then every minute.
   */
  private static final long FINE_TICK = 1000;
  private static final long COARSE_TICK = 60_000;
  private static final long FINE_FOR = 3_600_000;

  /** A rule that fired, {@code at} milliseconds after the start. */
  record Firing(String rule, long at) {}

  record Result(List<Decision> decisions, List<Firing> fired) {}

  private final Spec spec;
  private final JourneySession session;
  private final List<Decision> decisions = new ArrayList<>();
  private final List<Firing> fired = new ArrayList<>();
  private long sequence;

  private Playback(RulePack pack, Spec spec) {
    this.spec = spec;
    MemoryConsentStore store = new MemoryConsentStore();
    spec.consent().forEach((purpose, granted) -> store.record(spec.customerId(),
        new ConsentRecord(purpose, granted, "api", Instant.ofEpochMilli(START))));
    ConsentGate gate = new ConsentGate(store, ConsentDefault.OPT_IN);
    session = new JourneySession(pack, START, VISIT_TIMEOUT, gate, decisions::add);
    session.consentFrom(gate::fact);
    session.addAgendaListener(new DefaultAgendaEventListener() {
      @Override
      public void afterMatchFired(AfterMatchFiredEvent event) {
        fired.add(new Firing(event.getMatch().getRule().getName(), session.now() - START));
      }
    });
  }

  static Result play(RulePack pack, Spec spec) {
    Playback p = new Playback(pack, spec);
    try {
      long last = 0;
      for (Spec.Step step : spec.steps()) {
        p.tickTo(last, step.at());
        p.apply(step);
        last = step.at();
      }
      p.tickTo(last, last + spec.tailMillis());
    } finally {
      p.session.close();
    }
    return new Result(List.copyOf(p.decisions), List.copyOf(p.fired));
  }

  /** Moves the clock from {@code from} to {@code to} (both after the start) tick by tick. */
  private void tickTo(long from, long to) {
    for (long t = from; t < to; ) {
      t = Math.min(to, t + (t - from < FINE_FOR ? FINE_TICK : COARSE_TICK));
      session.advanceTo(START + t);
    }
  }

  private void apply(Spec.Step step) {
    long now = START + step.at();
    if (step instanceof Spec.Behaviour b) {
      send(now, b.page() ? Event.EventType.PAGE : Event.EventType.TRACK, b.page() ? null : b.name(),
          behaviourProperties(b), page(b));
    } else if (step instanceof Spec.Contact c) {
      Map<String, Object> props = new HashMap<>(c.properties());
      props.put("startedAt", now - c.agoMillis());
      send(now, Event.EventType.INTERACTION, (String) props.get("channel"), props, null);
    } else if (step instanceof Spec.Reaction r) {
      send(now, Event.EventType.OUTCOME, r.outcome(), outcomeProperties(r, now), null);
    }
  }

  private static Map<String, Object> behaviourProperties(Spec.Behaviour b) {
    Map<String, Object> props = new HashMap<>(b.properties());
    if (b.page()) {
      props.put("path", b.name());
    }
    return props;
  }

  private static Event.Page page(Spec.Behaviour b) {
    return b.page() ? new Event.Page(b.name(), null, null, null, null) : null;
  }

  private Map<String, Object> outcomeProperties(Spec.Reaction r, long now) {
    Engagement latest = null;
    for (Decision d : decisions) {
      if (d.engagement().rule().equals(r.rule())) {
        latest = d.engagement();
      }
    }
    if (latest == null) {
      throw new BadScenario("events[" + r.index() + "].outcome: rule " + r.rule() + " asked for no engagement by "
          + Times.format(r.at()));
    }
    return Map.of("engagementId", latest.id(), "rule", latest.rule(), "type", latest.type().id(),
        "outcome", r.outcome(), "at", now);
  }

  private void send(long now, Event.EventType type, String name, Map<String, Object> props, Event.Page page) {
    Event.EventContext context = new Event.EventContext(page, null, null, spec.timezone(), null, Map.of());
    Event event = new Event("s" + (++sequence), "scenario", type, spec.anonymousId(), spec.userId(), null, name,
        props, Map.of(), Instant.ofEpochMilli(now), context);
    session.apply(spec.customerId(), event, now, sequence);
  }
}
