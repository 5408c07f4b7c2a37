package io.nudge.engine.journey;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeException;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Actions;
import io.nudge.engine.facts.CustomerEvent;
import io.nudge.engine.facts.CustomerFact;
import io.nudge.engine.facts.EngagementOutcome;
import io.nudge.engine.facts.Interaction;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.facts.JourneyRecorder;
import io.nudge.engine.facts.Offer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.kie.api.KieServices;
import org.kie.api.definition.rule.Rule;
import org.kie.api.event.rule.AfterMatchFiredEvent;
import org.kie.api.event.rule.AgendaEventListener;
import org.kie.api.event.rule.BeforeMatchFiredEvent;
import org.kie.api.event.rule.DefaultAgendaEventListener;
import org.kie.api.runtime.KieSession;
import org.kie.api.runtime.KieSessionConfiguration;
import org.kie.api.runtime.conf.ClockTypeOption;
import org.kie.api.runtime.rule.FactHandle;
import org.kie.api.runtime.rule.Match;
import org.kie.api.time.SessionPseudoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many customers' journeys in one Drools session (STREAM mode), driven by one thread. The rule clock
 * is a pseudo clock that only moves when {@link #advanceTo} or {@link #apply} is called, so the same
 * events at the same times always give the same engagements; a shard calls {@link #advanceTo} on
 * every tick so timers fire on time without a new event.
 *
 * <p>Not thread-safe: exactly one thread may use an instance.
 */
public final class JourneySession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JourneySession.class);
  private static final int MAX_FIRE_ATTEMPTS = 16;
  private static final int MAX_INTERACTIONS = 20;
  private static final Duration INTERACTIONS_KEPT = Duration.ofDays(30);

  private final KieSession kie;
  private final SessionPseudoClock clock;
  private final long sessionTimeoutMillis;
  private final Gate gate;
  private final Consumer<Decision> decisions;
  private final Map<String, CustomerState> customers = new HashMap<>();
  private final List<Engagement> asked = new ArrayList<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> removed = new HashSet<>();
  private Match firing;
  private long now;

  /**
   * @param rules the rule pack to run
   * @param startMillis the rule clock's first reading, epoch milliseconds
   * @param sessionTimeout a visit ends after this long without events
   * @param gate decides about each engagement the rules ask for
   * @param decisions receives every decision, in order
   */
  public JourneySession(
      RulePack rules, long startMillis, Duration sessionTimeout, Gate gate, Consumer<Decision> decisions) {
    KieSessionConfiguration conf = KieServices.get().newKieSessionConfiguration();
    conf.setOption(ClockTypeOption.PSEUDO);
    this.kie = rules.kieBase().newKieSession(conf, null);
    this.clock = kie.getSessionClock();
    this.clock.advanceTime(startMillis, TimeUnit.MILLISECONDS);
    this.now = startMillis;
    this.sessionTimeoutMillis = sessionTimeout.toMillis();
    this.gate = gate;
    this.decisions = decisions;
    if (hasNudgeGlobal(rules)) {
      kie.setGlobal("nudge", new Actions(this::ask));
    }
    kie.addEventListener(new DefaultAgendaEventListener() {
      @Override
      public void beforeMatchFired(BeforeMatchFiredEvent event) {
        firing = event.getMatch();
      }

      @Override
      public void afterMatchFired(AfterMatchFiredEvent event) {
        firing = null;
      }
    });
  }

  private static boolean hasNudgeGlobal(RulePack rules) {
    return rules.kieBase().getKiePackages().stream()
        .anyMatch(p -> p.getGlobalVariables().stream().anyMatch(g -> g.getName().equals("nudge")));
  }

  /** Lets a test or a tool watch which rules fire. */
  public void addAgendaListener(AgendaEventListener listener) {
    kie.addEventListener(listener);
  }

  /** The rule clock, epoch milliseconds. */
  public long now() {
    return now;
  }

  /** Moves the rule clock forward to {@code millis} (never back) and runs whatever became due. */
  public void advanceTo(long millis) {
    if (millis > now) {
      clock.advanceTime(millis - now, TimeUnit.MILLISECONDS);
      now = millis;
    }
    fire();
  }

  /**
   * Applies one event of a customer: journey updated, event inserted, rules run.
   *
   * @param millis when the event was received; the journey records this time, also on replay
   * @param sequence the event's place in the log; grows with each event of a customer
   */
  public void apply(String customerId, Event event, long millis, long sequence) {
    advanceTo(millis);
    CustomerState state = customers.computeIfAbsent(customerId, this::newCustomer);
    state.applied = Math.max(state.applied, sequence);
    dirty.add(customerId);
    switch (event.type()) {
      case INTERACTION -> applyInteraction(state, event, millis);
      case OUTCOME -> applyOutcome(state, event, millis);
      default -> applyBehaviour(state, event, millis, sequence);
    }
    fire();
  }

  private void applyInteraction(CustomerState state, Event event, long millis) {
    Interaction interaction = JourneyRecorder.interaction(state.journey.getCustomerId(), event, millis);
    JourneyRecorder.record(state.journey, interaction);
    insertInteraction(state, interaction);
    kie.update(state.journeyHandle, state.journey);
  }

  private void insertInteraction(CustomerState state, Interaction interaction) {
    if (interaction.getStartedAt() < now - INTERACTIONS_KEPT.toMillis()) {
      return; // older than any rule may look back
    }
    state.interactions.add(interaction);
    state.interactionHandles.add(kie.insert(interaction));
    if (state.interactions.size() > MAX_INTERACTIONS) {
      state.interactions.remove(0);
      FactHandle oldest = state.interactionHandles.remove(0);
      if (kie.getObject(oldest) != null) {
        kie.delete(oldest);
      }
    }
  }

  private void applyOutcome(CustomerState state, Event event, long millis) {
    Map<String, Object> p = event.properties();
    EngagementOutcome outcome = new EngagementOutcome(state.journey.getCustomerId(),
        String.valueOf(p.get("engagementId")), String.valueOf(p.get("rule")), String.valueOf(p.get("type")),
        String.valueOf(p.get("outcome")), p.get("at") instanceof Number n ? n.longValue() : millis);
    state.outcomes.add(outcome);
    state.outcomeHandles.add(kie.insert(outcome));
  }

  private void applyBehaviour(CustomerState state, Event event, long millis, long sequence) {
    String customerId = state.journey.getCustomerId();
    if (JourneyRecorder.startVisitIfDue(state.journey, millis, sessionTimeoutMillis)) {
      endVisit(state);
    }
    CustomerEvent fact = new CustomerEvent(customerId, sequence, event.type().id(), event.name(),
        JourneyRecorder.pathOf(event, state.journey), event.properties(), millis);
    JourneyRecorder.record(state.journey, event, fact, millis);
    kie.insert(fact);
    kie.update(state.journeyHandle, state.journey);
  }

  /**
   * Puts back an event the customer's journey already contains (it is in the restored snapshot), so
   * rules that look back at recent events see it again after a restart. The journey is not changed.
   */
  public void reinsert(String customerId, Event event, long millis, long sequence) {
    if (event.type() == Event.EventType.INTERACTION || event.type() == Event.EventType.OUTCOME) {
      return; // kept in the snapshot
    }
    advanceTo(millis);
    CustomerState state = customers.get(customerId);
    String path = state == null ? "" : JourneyRecorder.pathOf(event, state.journey);
    kie.insert(new CustomerEvent(customerId, sequence, event.type().id(), event.name(), path,
        event.properties(), millis));
    fire();
  }

  /** The log sequence of the newest event applied to the customer, 0 when unknown. */
  public long lastSequence(String customerId) {
    CustomerState state = customers.get(customerId);
    return state == null ? 0 : state.applied;
  }

  /** The customer's state as bytes: journey, this visit's asks, contacts and outcomes. */
  public byte[] snapshot(String customerId) {
    return CustomerStateCodec.write(customers.get(customerId));
  }

  /** Puts a customer back from {@link #snapshot}; before any event of theirs is applied. */
  public void restore(String customerId, byte[] snapshot) {
    customers.put(customerId, attach(CustomerStateCodec.read(customerId, snapshot)));
  }

  /** Inserts a decoded customer's facts into the session. */
  private CustomerState attach(CustomerState state) {
    state.journeyHandle = kie.insert(state.journey);
    for (Offer o : state.offers) {
      state.offerHandles.add(kie.insert(o));
    }
    List<Interaction> interactions = List.copyOf(state.interactions);
    state.interactions.clear();
    for (Interaction i : interactions) {
      insertInteraction(state, i);
    }
    for (EngagementOutcome o : state.outcomes) {
      state.outcomeHandles.add(kie.insert(o));
    }
    return state;
  }

  /**
   * Takes a customer out of this session (their facts retracted) and returns their snapshot, or null
   * when the session does not know them; their stored snapshot is deleted at the next save.
   */
  public byte[] remove(String customerId) {
    CustomerState state = customers.get(customerId);
    if (state == null) {
      return null;
    }
    byte[] snapshot = snapshot(customerId);
    kie.delete(state.journeyHandle);
    for (List<FactHandle> handles : List.of(state.offerHandles, state.interactionHandles, state.outcomeHandles)) {
      for (FactHandle h : handles) {
        if (kie.getObject(h) != null) {
          kie.delete(h);
        }
      }
    }
    customers.remove(customerId);
    dirty.remove(customerId);
    removed.add(customerId);
    return snapshot;
  }

  /**
   * Folds another customer's state (a second device, merged by identity) into {@code into}: journey,
   * asks and offers of this visit, interactions and outcomes. Folding the same customer twice (after a
   * restart) changes nothing.
   */
  public void absorb(String into, String from, byte[] snapshot) {
    CustomerState state = customers.computeIfAbsent(into, this::newCustomer);
    if (snapshot == null || !state.absorbed.add(from)) {
      return;
    }
    CustomerState other = CustomerStateCodec.read(from, snapshot);
    JourneyRecorder.merge(state.journey, other.journey);
    state.askedThisVisit.addAll(other.askedThisVisit);
    for (Offer o : other.offers) {
      Offer moved = new Offer(into, o.getRule(), o.getKey(), o.getType(), o.getEngagementId(), o.getAt());
      state.offers.add(moved);
      state.offerHandles.add(kie.insert(moved));
    }
    for (Interaction i : other.interactions) {
      insertInteraction(state, new Interaction(into, i.getChannel(), i.getDirection(), i.getStartedAt(),
          i.getEndedAt(), i.getQueue(), i.getAgentId(), i.getCaseId(), i.getReason(), i.isResolved(), i.getCsat(),
          i.getNps()));
    }
    for (EngagementOutcome o : other.outcomes) {
      EngagementOutcome moved = new EngagementOutcome(into, o.getEngagementId(), o.getRule(), o.getType(),
          o.getOutcome(), o.getAt());
      state.outcomes.add(moved);
      state.outcomeHandles.add(kie.insert(moved));
    }
    state.absorbed.addAll(other.absorbed);
    state.applied = Math.max(state.applied, other.applied);
    kie.update(state.journeyHandle, state.journey);
    dirty.add(into);
    fire();
  }

  /** Whether {@code into} has already absorbed {@code from}. */
  public boolean hasAbsorbed(String into, String from) {
    CustomerState state = customers.get(into);
    return state != null && state.absorbed.contains(from);
  }

  /** The customers this session knows, for restoring merges. */
  public Set<String> customerIds() {
    return Set.copyOf(customers.keySet());
  }

  /** Marks customers as changed again, after their snapshots could not be saved. */
  public void markChanged(java.util.Collection<String> customerIds) {
    for (String id : customerIds) {
      if (customers.containsKey(id)) {
        dirty.add(id);
      } else {
        removed.add(id);
      }
    }
  }

  /** Snapshots of the customers changed since the last call; a removed customer maps to null. */
  public Map<String, byte[]> takeChanged() {
    if (dirty.isEmpty() && removed.isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> changed = new HashMap<>();
    for (String customerId : dirty) {
      changed.put(customerId, snapshot(customerId));
    }
    for (String customerId : removed) {
      changed.put(customerId, null);
    }
    dirty.clear();
    removed.clear();
    return changed;
  }

  /** A copy of the customer's journey, or empty when this session has never seen them. */
  public Optional<Journey> journey(String customerId) {
    CustomerState state = customers.get(customerId);
    return state == null ? Optional.empty() : Optional.of(state.journey.snapshot());
  }

  public int customerCount() {
    return customers.size();
  }

  private CustomerState newCustomer(String customerId) {
    Journey journey = new Journey(customerId);
    return new CustomerState(journey, kie.insert(journey));
  }

  private void endVisit(CustomerState state) {
    for (var handle : state.offerHandles) {
      kie.delete(handle);
    }
    state.offers.clear();
    state.offerHandles.clear();
    state.askedThisVisit.clear();
    for (var handle : state.outcomeHandles) {
      kie.delete(handle);
    }
    state.outcomes.clear();
    state.outcomeHandles.clear();
  }

  private void fire() {
    // a consequence that throws stops fireAllRules; the rest of the agenda still runs, now
    for (int attempt = 0; attempt < MAX_FIRE_ATTEMPTS; attempt++) {
      try {
        kie.fireAllRules();
        break;
      } catch (RuntimeException e) {
        String rule = firing == null ? "?" : firing.getRule().getName();
        LOG.warn("rule \"{}\" failed and was stopped for this event: {}", rule, e.toString());
        firing = null;
      }
    }
    if (asked.isEmpty()) {
      return;
    }
    List<Engagement> batch = new ArrayList<>(asked);
    asked.clear();
    Instant at = Instant.ofEpochMilli(now);
    for (Engagement e : batch) {
      try {
        decisions.accept(gate.decide(e, at));
      } catch (RuntimeException failure) {
        LOG.error("engagement {} of rule \"{}\" could not be decided", e.id(), e.rule(), failure);
      }
    }
  }

  private void ask(EngagementType type, String key, Map<String, String> fields) {
    Match match = firing;
    if (match == null) {
      throw new NudgeException("nudge actions can only be used in a rule's consequence");
    }
    Rule rule = match.getRule();
    String customerId = customerOf(match);
    CustomerState state = customers.get(customerId);
    if (!state.askedThisVisit.add(rule.getName() + '\u0000' + key)) {
      return;
    }
    Journey j = state.journey;
    String id = EngagementIds.of(customerId, rule.getName(), key, j.getSessionStartedAt());
    Offer offer = new Offer(customerId, rule.getName(), key, type.id(), id, now);
    state.offers.add(offer);
    state.offerHandles.add(kie.insert(offer));
    dirty.add(customerId);
    asked.add(new Engagement(id, type, rule.getName(), Instant.ofEpochMilli(now), customerId,
        j.getAnonymousId(), j.getUserId(), fields, JourneySummary.of(j, reasonOf(rule))));
  }

  private static String customerOf(Match match) {
    String customerId = null;
    for (Object o : match.getObjects()) {
      if (o instanceof CustomerFact f) {
        if (customerId != null && !customerId.equals(f.getCustomerId())) {
          throw new NudgeException("rule \"" + match.getRule().getName()
              + "\" matched facts of two customers; join every pattern on customerId");
        }
        customerId = f.getCustomerId();
      }
    }
    if (customerId == null) {
      throw new NudgeException("rule \"" + match.getRule().getName()
          + "\" matched no customer fact (Journey, CustomerEvent or Offer), so nobody to engage");
    }
    return customerId;
  }

  private static String reasonOf(Rule rule) {
    Object reason = rule.getMetaData().get("reason");
    if (reason == null) {
      return rule.getName();
    }
    String text = reason.toString();
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1);
    }
    return text;
  }

  @Override
  public void close() {
    kie.dispose();
  }
}
