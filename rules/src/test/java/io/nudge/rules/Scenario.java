package io.nudge.rules;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.Event;
import io.nudge.engine.RulePack;
import io.nudge.engine.journey.Gate;
import io.nudge.engine.journey.JourneySession;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;

/**
 * Drives the rule pack in this folder through a real {@link JourneySession} on a pseudo clock: send
 * events at relative times, let time pass, then look at what fired and what was asked for. Every
 * engagement is let through, so tests see what the rules ask, not what consent allows.
 */
final class Scenario {
  private static final long START = Instant.parse("2026-11-23T10:00:00Z").toEpochMilli();
  private static final RulePack PACK = RulePack.load(Path.of(System.getProperty("nudge.rules.dir", ".")));

  private final JourneySession session;
  private final List<Engagement> engagements = new ArrayList<>();
  private final List<String> fired = new ArrayList<>();
  private long clock = START;
  private int messages;

  Scenario() {
    session = new JourneySession(PACK, START, Duration.ofMinutes(30),
        Gate.each((e, now) -> new Decision(e, Decision.Outcome.SENT, "sent", now)),
        d -> engagements.add(d.engagement()));
    session.addAgendaListener(new DefaultAgendaEventListener() {
      @Override
      public void afterMatchFired(AfterMatchFiredEvent event) {
        fired.add(event.getMatch().getRule().getName());
      }
    });
  }

  /** Lets {@code seconds} pass on the rule clock. */
  Scenario elapse(double seconds) {
    clock += (long) (seconds * 1000);
    session.advanceTo(clock);
    return this;
  }

  Scenario page(String customer, String path) {
    return send(customer, Event.EventType.PAGE, null, Map.of("path", path));
  }

  Scenario track(String customer, String name, Map<String, Object> properties) {
    return send(customer, Event.EventType.TRACK, name, properties);
  }

  Scenario addToCart(String customer, String productId, double price, int quantity) {
    return track(customer, "Product Added",
        Map.of("product_id", productId, "name", "Product " + productId, "price", price, "quantity", quantity));
  }

  private Scenario send(String customer, Event.EventType type, String name, Map<String, Object> properties) {
    Map<String, Object> props = new HashMap<>(properties);
    Event.Page page = type == Event.EventType.PAGE ? new Event.Page((String) props.get("path"), null, null, null, null) : null;
    Event event = new Event("m" + (++messages), "test", type, customer, null, null, name, props, Map.of(),
        Instant.ofEpochMilli(clock), new Event.EventContext(page, null, null, null, null, Map.of()));
    session.apply(customer, event, clock, messages);
    return this;
  }

  /**
   * A contact-centre interaction that started {@code secondsAgo} before now.
   *
   * @param csat 1 to 5, or 0 when not rated
   */
  Scenario interaction(String customer, String channel, double secondsAgo, String caseId, String queue,
      boolean resolved, int csat) {
    Map<String, Object> props = new HashMap<>();
    props.put("channel", channel);
    props.put("startedAt", clock - (long) (secondsAgo * 1000));
    props.put("caseId", caseId);
    props.put("queue", queue);
    props.put("resolved", resolved);
    if (csat > 0) {
      props.put("csat", csat);
    }
    Event event = new Event("m" + (++messages), "test", Event.EventType.INTERACTION, null, customer, null, channel,
        props, Map.of(), Instant.ofEpochMilli(clock), Event.EventContext.EMPTY);
    session.apply(customer, event, clock, messages);
    return this;
  }

  /** What the customer did with an engagement: {@code shown}, {@code declined}, ... */
  Scenario outcome(Engagement engagement, String outcome) {
    Map<String, Object> props = Map.of("engagementId", engagement.id(), "rule", engagement.rule(),
        "type", engagement.type().id(), "outcome", outcome, "at", clock);
    Event event = new Event("m" + (++messages), "test", Event.EventType.OUTCOME, engagement.customerId(), null,
        null, outcome, props, Map.of(), Instant.ofEpochMilli(clock), Event.EventContext.EMPTY);
    session.apply(engagement.customerId(), event, clock, messages);
    return this;
  }

  List<Engagement> engagements() {
    return engagements;
  }

  List<String> fired() {
    return fired;
  }

  JourneySession session() {
    return session;
  }
}
