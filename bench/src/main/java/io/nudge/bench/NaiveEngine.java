package io.nudge.bench;

import io.nudge.engine.EngagementType;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Actions;
import io.nudge.engine.facts.CustomerEvent;
import io.nudge.engine.facts.CustomerFact;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.JourneyRecorder;
import io.nudge.engine.facts.Offer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.kie.api.KieServices;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.runtime.rule.Match;
import org.kie.api.time.SessionPseudoClock;

/**
 * The naive-engine baseline: what a first attempt would build. One KieSession holds every customer;
 * every raw event is inserted and {@code fireAllRules} runs after each one, on one thread. It runs the
 * same compiled {@link RulePack} as Nudge, with the facts the rules need (a {@link Journey} per
 * customer, kept by the engine's own {@link JourneyRecorder}, and an {@link Offer} per ask, so "once
 * per visit" holds), but no shards, no event log, no consent or contact-policy gate, no identity
 * resolution: it only counts the engagements the rules ask for.
 */
final class NaiveEngine implements AutoCloseable {
  private final KieSession kie;
  private final SessionPseudoClock clock;
  private final Map<String, Journey> journeys = new HashMap<>();
  private final Map<String, FactHandle> journeyHandles = new HashMap<>();
  private Match firing;
  private long now;
  private long sequence;
  private long asks;

  NaiveEngine(RulePack rules, long startMillis) {
    KieSessionConfiguration conf = KieServices.get().newKieSessionConfiguration();
    conf.setOption(ClockTypeOption.PSEUDO);
    kie = rules.kieBase().newKieSession(conf, null);
    clock = kie.getSessionClock();
    clock.advanceTime(startMillis, TimeUnit.MILLISECONDS);
    now = startMillis;
    boolean hasNudge = rules.kieBase().getKiePackages().stream()
        .anyMatch(p -> p.getGlobalVariables().stream().anyMatch(g -> g.getName().equals("nudge")));
    if (hasNudge) {
      kie.setGlobal("nudge", new Actions(this::ask));
    }
    kie.addEventListener(new DefaultAgendaEventListener() {
      @Override
      public void beforeMatchFired(BeforeMatchFiredEvent event) {
        firing = event.getMatch();
      }
    });
  }

  /** Inserts one raw event at {@code millis} and fires the rules. */
  void apply(Event event, long millis) {
    if (millis > now) {
      clock.advanceTime(millis - now, TimeUnit.MILLISECONDS);
      now = millis;
    }
    String customerId = event.anonymousId() != null ? event.anonymousId() : event.userId();
    Journey journey = journeys.get(customerId);
    if (journey == null) {
      journey = new Journey(customerId);
      journeys.put(customerId, journey);
      journeyHandles.put(customerId, kie.insert(journey));
    }
    CustomerEvent fact = new CustomerEvent(customerId, ++sequence, event.type().id(), event.name(),
        JourneyRecorder.pathOf(event, journey), event.properties(), millis);
    JourneyRecorder.record(journey, event, fact, millis);
    kie.insert(fact);
    kie.update(journeyHandles.get(customerId), journey);
    kie.fireAllRules();
  }

  /** Engagements the rules asked for so far. */
  long asks() {
    return asks;
  }

  private Actions.Fallback ask(EngagementType type, String key, Map<String, String> fields) {
    asks++;
    String rule = firing == null ? "" : firing.getRule().getName();
    String customerId = "";
    if (firing != null) {
      for (Object o : firing.getObjects()) {
        if (o instanceof CustomerFact f) {
          customerId = f.getCustomerId();
          break;
        }
      }
    }
    kie.insert(new Offer(customerId, rule, key, type.id(), "naive-" + asks, now));
    return (title, body) -> { };
  }

  @Override
  public void close() {
    kie.dispose();
  }
}
