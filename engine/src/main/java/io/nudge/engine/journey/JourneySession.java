package io.nudge.engine.journey;

import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Event;
import io.nudge.engine.Checks;
import io.nudge.engine.NudgeException;
import io.nudge.engine.RuleExplanations;
import io.nudge.engine.RulePack;
import io.nudge.engine.facts.Actions;
import io.nudge.engine.facts.Consent;
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
  /**
   * A rule that fires this often in one turn for the same customer is looping: it is stopped for that
   * customer in that turn. Many customers' timers coming due in one tick are not a loop.
   */
  static final int MAX_FIRINGS_PER_RULE = 1_000;
  /** A turn of the rules (one event, one tick) that runs longer stops its busiest rule and customer. */
  static final long MAX_TURN_NANOS = 2_000_000_000L;
  private static final int MAX_INTERACTIONS = 20;
  /**
   * After this long without an event a customer has no raw event left in the session: their lifetime,
   * and a minute for the expiry to run, which happens at the clock's next tick.
   */
  static final long RAW_EVENTS_KEPT_MILLIS = CustomerEvent.LIFETIME.plusMinutes(1).toMillis();
  private static final Duration INTERACTIONS_KEPT = Duration.ofDays(30);

  private final KieSession kie;
  private final boolean ownRuleBase;
  private final SessionPseudoClock clock;
  private final long sessionTimeoutMillis;
  private final Gate gate;
  private final Consumer<Decision> decisions;
  private final Map<String, CustomerState> customers = new HashMap<>();
  /**
   * Customers restored from their snapshots and not yet needed: their facts enter the session at their
   * first event (or any call that reads or changes them), so a restart reads a million journeys in
   * seconds, and a journey nobody touches costs its bytes, not its facts.
   */
  private final Map<String, byte[]> dormant = new HashMap<>();
  /** The newest log sequence in a dormant customer's snapshot, once asked for. */
  private final Map<String, Long> dormantApplied = new HashMap<>();
  /** Raw events of dormant customers, to put back when they wake: see {@link #reinsertWhenNeeded}. */
  private final Map<String, List<PutBack>> putBack = new HashMap<>();
  /** When every raw event waiting in {@link #putBack} has expired. */
  private long putBackUntil;

  private record PutBack(Event event, long millis, long sequence) {}
  private final long arbitrationMillis;
  private final List<PendingAsk> asked = new ArrayList<>();
  /**
   * Asks waiting out the arbitration window, per customer, in the order they were first asked: which is
   * the order they are due in, since the window is the same for all.
   */
  private final Map<String, List<PendingAsk>> waiting = new java.util.LinkedHashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> removed = new HashSet<>();
  private Match firing;
  /** Firings in this turn, by rule and customer (or first fact, for a match of no customer's facts). */
  private final Map<String, Map<Object, Firings>> firedThisTurn = new HashMap<>();
  private int mostFiredThisTurn;
  private final Map<String, Integer> stopped = new java.util.concurrent.ConcurrentHashMap<>();
  private long turnStartedAt;
  private java.util.function.Function<String, Consent> consentSource;
  /** Whether a rule reads the consent fact; when none does, it is not kept per customer. */
  private final boolean consentFacts;
  private java.util.function.LongSupplier consentChanges;
  private long now;
  /**
   * When true, {@link #apply} leaves the rules to the next {@link #settle}: events of different
   * customers go into the session together and the rules run once over all of them (Phreak evaluates a
   * batch of inserts at a time far faster than one by one). See {@link #deferRules}.
   */
  private boolean deferring;
  /** Customers with an event applied since the rules last ran; only while deferring. */
  private final Set<String> unsettled = new HashSet<>();
  /** What waits for the rules to have run on the events applied so far. */
  private final List<Runnable> afterRules = new ArrayList<>();

  /**
   * @param rules the rule pack to run
   * @param startMillis the rule clock's first reading, epoch milliseconds
   * @param sessionTimeout a visit ends after this long without events
   * @param gate decides about each engagement the rules ask for
   * @param decisions receives every decision, in order
   */
  public JourneySession(
      RulePack rules, long startMillis, Duration sessionTimeout, Gate gate, Consumer<Decision> decisions) {
    this(rules, startMillis, sessionTimeout, Duration.ZERO, gate, decisions);
  }

  /**
   * @param arbitrationWindow asks for one customer within this time of the first are decided together
   *     when it has passed, so the gate can send only the highest priority; zero decides each firing
   */
  public JourneySession(RulePack rules, long startMillis, Duration sessionTimeout, Duration arbitrationWindow,
      Gate gate, Consumer<Decision> decisions) {
    this(rules, startMillis, sessionTimeout, arbitrationWindow, gate, decisions, false);
  }

  /**
   * @param ownRuleBase whether the session runs on a rule base of its own, so it can take a changed
   *     pack in place ({@link #change}); otherwise it shares the pack's
   */
  public JourneySession(RulePack rules, long startMillis, Duration sessionTimeout, Duration arbitrationWindow,
      Gate gate, Consumer<Decision> decisions, boolean ownRuleBase) {
    this.arbitrationMillis = arbitrationWindow.toMillis();
    KieSessionConfiguration conf = KieServices.get().newKieSessionConfiguration();
    conf.setOption(ClockTypeOption.PSEUDO);
    this.ownRuleBase = ownRuleBase;
    this.kie = (ownRuleBase ? rules.newKieBase() : rules.kieBase()).newKieSession(conf, null);
    this.clock = kie.getSessionClock();
    this.clock.advanceTime(startMillis, TimeUnit.MILLISECONDS);
    this.now = startMillis;
    this.sessionTimeoutMillis = sessionTimeout.toMillis();
    this.gate = gate;
    this.decisions = decisions;
    this.consentFacts = rules.matches(Consent.class);
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
        Firings f = firingsOf(event.getMatch());
        mostFiredThisTurn = Math.max(mostFiredThisTurn, ++f.count);
      }
    });
  }

  private static boolean hasNudgeGlobal(RulePack rules) {
    return rules.kieBase().getKiePackages().stream()
        .anyMatch(p -> p.getGlobalVariables().stream().anyMatch(g -> g.getName().equals("nudge")));
  }

  /**
   * Where the session reads each customer's consent from, to keep a {@link Consent} fact per customer
   * that rules can match. Without a source there is no such fact.
   */
  public void consentFrom(java.util.function.Function<String, Consent> source) {
    consentFrom(source, null);
  }

  /**
   * As {@link #consentFrom(java.util.function.Function)}, read again for an event only when
   * {@code changes} has grown since the customer's consent was last read: it must grow after every
   * change of anyone's consent. Without it, consent is read for every event.
   */
  public void consentFrom(java.util.function.Function<String, Consent> source, java.util.function.LongSupplier changes) {
    this.consentSource = source;
    this.consentChanges = changes;
  }

  /** Reads the customer's consent again (it changed outside an event) and runs what became due. */
  public void refreshConsent(String customerId) {
    settle();
    CustomerState state = customers.get(customerId);
    if (state != null) {
      refreshConsent(state);
      fire();
    }
  }

  /** Inserts or updates the consent fact; an update only when a choice changed, so no rule fires again. */
  private void refreshConsent(CustomerState state) {
    if (consentSource == null || !consentFacts) {
      return; // the gate reads consent itself: the fact is only for rules
    }
    // read before the consent: a change made while it is read is seen at the next event
    long changes = consentChanges == null ? 0 : consentChanges.getAsLong();
    if (consentChanges != null && state.consentHandle != null && changes == state.consentReadAt) {
      return;
    }
    Consent current;
    try {
      current = consentSource.apply(state.journey.getCustomerId());
    } catch (RuntimeException e) {
      // the event still applies; the fact stays as it was until the next read works, and the gate,
      // which reads consent again, sends nothing while the store is down
      LOG.warn("consent could not be read for the rules' consent fact: {}", e.toString());
      return;
    }
    state.consentReadAt = changes;
    if (state.consentHandle == null) {
      state.consent = current;
      state.consentHandle = kie.insert(current);
    } else if (!current.sameChoicesAs(state.consent)) {
      state.consent = current;
      kie.update(state.consentHandle, current);
    }
  }

  /** Lets a test or a tool watch which rules fire. */
  public void addAgendaListener(AgendaEventListener listener) {
    kie.addEventListener(listener);
  }

  /** The rule clock, epoch milliseconds. */
  public long now() {
    return now;
  }

  /** Runs the rules on what the session holds now: after customers were restored, say. */
  public void runRules() {
    settle();
    fire();
  }

  /**
   * Moves the rule clock forward to {@code millis} (never back) and runs whatever became due. When the
   * clock does not move nothing can have become due, and the rules are not run: every change of facts
   * runs them itself.
   */
  public void advanceTo(long millis) {
    settle();
    if (moveClockTo(millis)) {
      fire();
    }
  }

  /**
   * Lets {@link #apply} defer the rules until {@link #settle} (or any other call that reads or
   * changes the session), for a thread that applies events in batches. Only events of different
   * customers received in the same millisecond share a run of the rules: a customer's second event,
   * and any move of the clock, runs them first. So every engagement is decided at the same rule time,
   * on the same facts, as when the rules run after each event.
   */
  public void deferRules(boolean defer) {
    settle();
    this.deferring = defer;
  }

  /** Runs the rules on the events applied since they last ran, then what waited for that. */
  public void settle() {
    if (!unsettled.isEmpty()) {
      unsettled.clear();
      fire();
    }
    if (!afterRules.isEmpty()) {
      List<Runnable> ready = List.copyOf(afterRules);
      afterRules.clear();
      ready.forEach(Runnable::run);
    }
  }

  /**
   * Runs the rules on what was applied, then decides every ask still waiting out the arbitration window,
   * now: before the session's customers are saved and handed to another session (new rules, another
   * node, a restart), which never decides an ask this one made. The window ends early for those asks;
   * without this they would be lost, their offers already in the saved journeys.
   */
  public void decideAllWaiting() {
    settle();
    for (String customerId : List.copyOf(waiting.keySet())) {
      decideWaiting(customerId);
    }
  }

  /** Runs {@code then} once the rules have run on every event applied so far: at once when not deferring. */
  public void whenRulesRan(Runnable then) {
    if (unsettled.isEmpty()) {
      then.run();
    } else {
      afterRules.add(then);
    }
  }

  /** True when moving the clock to {@code millis} makes a timer or an expiry due. */
  private boolean dueBy(long millis) {
    if (clock instanceof org.drools.core.time.impl.PseudoClockScheduler scheduler) {
      long toNext = scheduler.getTimeToNextJob();
      return toNext >= 0 && now + toNext <= millis;
    }
    return true;
  }

  /** Moves the rule clock forward to {@code millis}, never back; true when it moved. */
  private boolean moveClockTo(long millis) {
    if (millis <= now) {
      return false;
    }
    clock.advanceTime(millis - now, TimeUnit.MILLISECONDS);
    now = millis;
    if (!putBack.isEmpty() && now > putBackUntil) {
      putBack.clear(); // all expired: their customers did not come back in time
    }
    return true;
  }

  /**
   * Applies one event of a customer: journey updated, event inserted, rules run.
   *
   * @param millis when the event was received; the journey records this time, also on replay
   * @param sequence the event's place in the log; grows with each event of a customer
   */
  public void apply(String customerId, Event event, long millis, long sequence) {
    if (deferring) {
      // the rules run on the customer's previous event before this one, and on every event before the
      // clock moves: a timer that an event starts is only scheduled when the rules run on it
      if (!unsettled.isEmpty() && (millis > now || unsettled.contains(customerId))) {
        settle();
      }
      if (millis > now) {
        boolean due = dueBy(millis);
        moveClockTo(millis);
        if (due) {
          fire();
        }
      }
    } else {
      advanceTo(millis);
    }
    wake(customerId);
    CustomerState state = customers.computeIfAbsent(customerId, this::newCustomer);
    state.applied = Math.max(state.applied, sequence);
    dirty.add(customerId);
    refreshConsent(state);
    switch (event.type()) {
      case INTERACTION -> applyInteraction(state, event, millis);
      case OUTCOME -> applyOutcome(state, event, millis);
      default -> applyBehaviour(state, event, millis, sequence);
    }
    if (deferring) {
      unsettled.add(customerId);
    } else {
      fire();
    }
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
    state.interactions.add(interaction, kie.insert(interaction));
    if (state.interactions.size() > MAX_INTERACTIONS) {
      FactHandle oldest = state.interactions.removeFirst();
      if (oldest != null && kie.getObject(oldest) != null) {
        kie.delete(oldest);
      }
    }
  }

  private void applyOutcome(CustomerState state, Event event, long millis) {
    Map<String, Object> p = event.properties();
    EngagementOutcome outcome = new EngagementOutcome(state.journey.getCustomerId(),
        String.valueOf(p.get("engagementId")), String.valueOf(p.get("rule")), String.valueOf(p.get("type")),
        String.valueOf(p.get("outcome")), p.get("at") instanceof Number n ? n.longValue() : millis);
    state.outcomes.add(outcome, kie.insert(outcome));
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
   * rules that look back at recent events see it again after a restart. The journey is not changed,
   * and the rules do not run: what the event caused is in the snapshot already (its offers, say), so
   * they run once, at the next event or clock move, on all the events put back, not once per event.
   */
  public void reinsert(String customerId, Event event, long millis, long sequence) {
    settle();
    if (event.type() == Event.EventType.INTERACTION || event.type() == Event.EventType.OUTCOME) {
      return; // kept in the snapshot
    }
    moveClockTo(millis);
    wake(customerId);
    CustomerState state = customers.get(customerId);
    String path = state == null ? "" : JourneyRecorder.pathOf(event, state.journey);
    kie.insert(new CustomerEvent(customerId, sequence, event.type().id(), event.name(), path,
        event.properties(), millis));
  }

  /**
   * As {@link #reinsert}, for a customer who may stay dormant: their event waits with them and is put
   * back when they wake, if it has not expired by then. Nothing the rules do depends on it until then,
   * but for a timer it would start; the caller puts back at once the events whose timers may matter.
   */
  public void reinsertWhenNeeded(String customerId, Event event, long millis, long sequence) {
    settle();
    if (!dormant.containsKey(customerId)) {
      reinsert(customerId, event, millis, sequence);
      return;
    }
    if (event.type() == Event.EventType.INTERACTION || event.type() == Event.EventType.OUTCOME) {
      return; // kept in the snapshot
    }
    moveClockTo(millis);
    putBack.computeIfAbsent(customerId, c -> new ArrayList<>()).add(new PutBack(event, millis, sequence));
    putBackUntil = Math.max(putBackUntil, millis + CustomerEvent.LIFETIME.toMillis());
  }

  /**
   * Records that the customer's event at {@code sequence} was seen and deliberately not applied (a
   * repeat of a message already applied): the journey is saved as covering it. Nothing for a customer
   * this session does not know.
   */
  public void skip(String customerId, long sequence) {
    wake(customerId);
    CustomerState state = customers.get(customerId);
    if (state != null && sequence > state.applied) {
      state.applied = sequence;
      dirty.add(customerId);
    }
  }

  /** The log sequence of the newest event applied to the customer, 0 when unknown. */
  public long lastSequence(String customerId) {
    byte[] asRestored = dormant.get(customerId);
    if (asRestored != null) {
      return dormantApplied.computeIfAbsent(customerId, c -> CustomerStateCodec.read(c, asRestored).applied);
    }
    CustomerState state = customers.get(customerId);
    return state == null ? 0 : state.applied;
  }

  /** The customer's state as bytes: journey, this visit's asks, contacts and outcomes. */
  public byte[] snapshot(String customerId) {
    settle();
    byte[] asRestored = dormant.get(customerId);
    return asRestored != null ? asRestored : CustomerStateCodec.write(customers.get(customerId));
  }

  /** Puts a customer back from {@link #snapshot}; before any event of theirs is applied. */
  public void restore(String customerId, byte[] snapshot) {
    settle();
    dormant.put(customerId, snapshot);
  }

  /** Puts a dormant customer's facts into the session: see {@link #dormant}. */
  private void wake(String customerId) {
    if (!dormant.isEmpty()) {
      byte[] snapshot = dormant.remove(customerId);
      if (snapshot != null) {
        dormantApplied.remove(customerId);
        CustomerState state = attach(CustomerStateCodec.read(customerId, snapshot));
        customers.put(customerId, state);
        for (PutBack p : putBack.getOrDefault(customerId, List.of())) {
          if (p.millis() > now - CustomerEvent.LIFETIME.toMillis()) {
            kie.insert(new CustomerEvent(customerId, p.sequence(), p.event().type().id(), p.event().name(),
                JourneyRecorder.pathOf(p.event(), state.journey), p.event().properties(), p.millis()));
          }
        }
        putBack.remove(customerId);
      }
    }
  }

  /** Inserts a decoded customer's facts into the session. */
  private CustomerState attach(CustomerState state) {
    state.journeyHandle = kie.insert(state.journey);
    for (int i = 0; i < state.offers.size(); i++) {
      state.offers.setHandle(i, kie.insert(state.offers.get(i)));
    }
    List<Interaction> interactions = state.interactions.facts();
    state.interactions.clear();
    for (Interaction i : interactions) {
      insertInteraction(state, i);
    }
    for (int i = 0; i < state.outcomes.size(); i++) {
      state.outcomes.setHandle(i, kie.insert(state.outcomes.get(i)));
    }
    refreshConsent(state);
    return state;
  }

  /**
   * Takes a customer out of this session (their facts retracted) and returns their snapshot, or null
   * when the session does not know them; their stored snapshot is deleted at the next save.
   */
  public byte[] remove(String customerId) {
    settle();
    byte[] asRestored = dormant.remove(customerId);
    if (asRestored != null) {
      dormantApplied.remove(customerId);
      putBack.remove(customerId);
      removed.add(customerId);
      return asRestored; // none of their facts is in the session
    }
    CustomerState state = customers.get(customerId);
    if (state == null) {
      return null;
    }
    decideWaiting(customerId); // decided now, while the session still knows the customer
    byte[] snapshot = snapshot(customerId);
    kie.delete(state.journeyHandle);
    if (state.consentHandle != null) {
      kie.delete(state.consentHandle);
    }
    for (HeldFacts<?> held : List.of(state.offers, state.interactions, state.outcomes)) {
      for (int i = 0; i < held.size(); i++) {
        FactHandle h = held.handle(i);
        if (h != null && kie.getObject(h) != null) {
          kie.delete(h);
        }
      }
    }
    // their raw events go too: an erased customer leaves nothing in memory, and no rule fires for them.
    // The search passes over every raw event in the session (only those: a ClassObjectFilter reads
    // one class's facts), so it is skipped for a customer whose events have all expired: those whose
    // visit ended, forgotten by the thousand, would otherwise each cost a pass
    if (now - state.journey.getLastEventAt() <= RAW_EVENTS_KEPT_MILLIS) {
      List<FactHandle> events = new ArrayList<>();
      for (FactHandle h : kie.getFactHandles(new org.kie.api.runtime.ClassObjectFilter(CustomerEvent.class))) {
        if (kie.getObject(h) instanceof CustomerEvent e && e.getCustomerId().equals(customerId)) {
          events.add(h);
        }
      }
      for (FactHandle h : events) {
        kie.delete(h);
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
    absorb(into, from, snapshot, true);
  }

  /**
   * As {@link #absorb(String, String, byte[])}, for a snapshot from another log (another Kafka
   * partition): its log sequences count in that log, so {@code into}'s newest applied sequence stays
   * its own.
   */
  public void absorbFromOtherLog(String into, String from, byte[] snapshot) {
    absorb(into, from, snapshot, false);
  }

  private void absorb(String into, String from, byte[] snapshot, boolean sameLog) {
    settle();
    wake(into);
    CustomerState state = customers.computeIfAbsent(into, this::newCustomer);
    if (snapshot == null || !state.absorb(from)) {
      return;
    }
    CustomerState other = CustomerStateCodec.read(from, snapshot);
    JourneyRecorder.merge(state.journey, other.journey);
    for (String asked : other.asked()) {
      state.markAsked(asked);
    }
    for (Offer o : other.offers) {
      Offer moved = new Offer(into, o.getRule(), o.getKey(), o.getType(), o.getEngagementId(), o.getAt());
      state.offers.add(moved, kie.insert(moved));
    }
    for (Interaction i : other.interactions) {
      insertInteraction(state, new Interaction(into, i.getChannel(), i.getDirection(), i.getStartedAt(),
          i.getEndedAt(), i.getQueue(), i.getAgentId(), i.getCaseId(), i.getReason(), i.isResolved(), i.getCsat(),
          i.getNps()));
    }
    for (EngagementOutcome o : other.outcomes) {
      EngagementOutcome moved = new EngagementOutcome(into, o.getEngagementId(), o.getRule(), o.getType(),
          o.getOutcome(), o.getAt());
      state.outcomes.add(moved, kie.insert(moved));
    }
    for (String absorbed : other.absorbed()) {
      state.absorb(absorbed);
    }
    if (sameLog) {
      state.applied = Math.max(state.applied, other.applied);
    }
    kie.update(state.journeyHandle, state.journey);
    refreshConsent(state);
    dirty.add(into);
    fire();
  }

  /**
   * Removes the customers chosen by {@code which} whose visit has ended (no event for the session
   * timeout): memory-only visitors are forgotten this way. Returns those removed.
   */
  public List<String> forgetEndedVisits(java.util.function.Predicate<String> which) {
    settle();
    List<String> ended = new ArrayList<>();
    for (Map.Entry<String, CustomerState> c : customers.entrySet()) {
      if (which.test(c.getKey()) && now - c.getValue().journey.getLastEventAt() >= sessionTimeoutMillis) {
        ended.add(c.getKey());
      }
    }
    for (String customerId : ended) {
      remove(customerId);
    }
    return ended;
  }

  /**
   * A new session running {@code rules} that holds what this one holds: every customer (journey, this
   * visit's asks and offers, interactions, outcomes, consent) and the raw events still in memory, at
   * the same rule clock. Asks waiting out the arbitration window are decided first. Engagements
   * already asked are not asked again: the asks of the visit move along, and engagement ids do not
   * depend on the rules' version. This session is left as it was; the caller closes it.
   */
  public JourneySession withRules(RulePack rules, Duration arbitrationWindow) {
    decideAllWaiting();
    JourneySession next = new JourneySession(rules, now, Duration.ofMillis(sessionTimeoutMillis), arbitrationWindow,
        gate, decisions, ownRuleBase);
    next.consentSource = consentSource;
    next.consentChanges = consentChanges;
    for (Map.Entry<String, CustomerState> c : customers.entrySet()) {
      next.customers.put(c.getKey(), next.attach(CustomerStateCodec.read(c.getKey(), snapshot(c.getKey()))));
    }
    next.dormant.putAll(dormant);
    next.dormantApplied.putAll(dormantApplied);
    next.putBack.putAll(putBack);
    next.putBackUntil = putBackUntil;
    for (Object event : kie.getObjects(new org.kie.api.runtime.ClassObjectFilter(CustomerEvent.class))) {
      next.kie.insert(event);
    }
    next.stopped.putAll(stopped);
    next.fire();
    return next;
  }

  /**
   * Takes a changed pack in place ({@link RulePack#change}): the rules removed and added on this
   * session's own rule base, every customer's facts staying where they are. Asks waiting out the
   * arbitration window are decided first; the rules added run at once on what the session holds, and
   * an engagement already asked in this visit is not asked again.
   *
   * @throws IllegalStateException when the session shares its pack's rule base
   */
  public void change(RulePack.Change change) {
    Checks.checkState(ownRuleBase, "a session on a shared rule base cannot take a change in place");
    decideAllWaiting();
    org.drools.core.impl.InternalRuleBase base = (org.drools.core.impl.InternalRuleBase) kie.getKieBase();
    for (Rule r : change.removed()) {
      base.removeRule(r.getPackageName(), r.getName());
    }
    if (!change.added().isEmpty()) {
      base.addPackages(change.added());
    }
    fire();
  }

  /** Whether {@code into} has already absorbed {@code from}. */
  /** True when the session holds the customer. */
  public boolean knows(String customerId) {
    return customers.containsKey(customerId) || dormant.containsKey(customerId);
  }

  public boolean hasAbsorbed(String into, String from) {
    wake(into);
    CustomerState state = customers.get(into);
    return state != null && state.hasAbsorbed(from);
  }

  /** The customers this session knows, for restoring merges. */
  public Set<String> customerIds() {
    Set<String> ids = new HashSet<>(customers.keySet());
    ids.addAll(dormant.keySet());
    return ids;
  }

  /**
   * The customers changed or removed since the last call, forgotten as changed: the caller saves them,
   * with {@link #snapshotOrNull}, when it chooses.
   */
  public Set<String> takeChangedIds() {
    settle();
    if (dirty.isEmpty() && removed.isEmpty()) {
      return Set.of();
    }
    Set<String> ids = new HashSet<>(dirty);
    ids.addAll(removed);
    dirty.clear();
    removed.clear();
    return ids;
  }

  /** The customer's snapshot as {@link #snapshot} writes it, or null when the session does not hold them. */
  public byte[] snapshotOrNull(String customerId) {
    return knows(customerId) ? snapshot(customerId) : null;
  }

  /** A copy of the customer's journey, or empty when this session has never seen them. */
  public Optional<Journey> journey(String customerId) {
    settle();
    byte[] asRestored = dormant.get(customerId);
    if (asRestored != null) {
      return Optional.of(CustomerStateCodec.read(customerId, asRestored).journey);
    }
    CustomerState state = customers.get(customerId);
    return state == null ? Optional.empty() : Optional.of(state.journey.snapshot());
  }

  public int customerCount() {
    return customers.size() + dormant.size();
  }

  /** Facts in the session: journeys, raw events, offers, interactions, outcomes, consent. */
  long factCount() {
    return kie.getFactCount();
  }

  private CustomerState newCustomer(String customerId) {
    Journey journey = new Journey(customerId);
    return new CustomerState(journey, kie.insert(journey));
  }

  private void endVisit(CustomerState state) {
    for (HeldFacts<?> held : List.of(state.offers, state.outcomes)) {
      for (int i = 0; i < held.size(); i++) {
        kie.delete(held.handle(i));
      }
      held.clear();
    }
    state.clearAsked();
  }

  private void fire() {
    // a consequence that throws stops fireAllRules; the rest of the agenda still runs, now
    firedThisTurn.clear();
    mostFiredThisTurn = 0;
    turnStartedAt = System.nanoTime();
    for (int attempt = 0; attempt < MAX_FIRE_ATTEMPTS; attempt++) {
      try {
        kie.fireAllRules(this::allowed);
        break;
      } catch (RuntimeException e) {
        String rule = firing == null ? "?" : firing.getRule().getName();
        LOG.warn("rule \"{}\" failed and was stopped for this event: {}", rule, e.toString());
        firing = null;
      }
    }
    for (PendingAsk p : asked) {
      waiting.computeIfAbsent(p.engagement.customerId(), c -> new ArrayList<>()).add(p);
    }
    asked.clear();
    if (waiting.isEmpty()) {
      return;
    }
    // customers wait in the order of their first ask, and every wait is equally long: so in order of
    // when they are due, and the first not due yet ends the search (this runs for every event)
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, List<PendingAsk>> w : waiting.entrySet()) {
      if (w.getValue().get(0).due > now) {
        break;
      }
      due.add(w.getKey());
    }
    for (String customerId : due) {
      decideWaiting(customerId);
    }
  }

  /** How often a rule fired in this turn for one customer, and whether it was stopped for them. */
  private static final class Firings {
    int count;
    boolean stopped;
  }

  private static final Object NO_FACT = new Object();

  private Firings firingsOf(Match match) {
    Object whose = NO_FACT;
    for (Object o : match.getObjects()) {
      if (o instanceof CustomerFact fact) {
        whose = fact.getCustomerId();
        break;
      }
      if (whose == NO_FACT && o != null) {
        whose = o;
      }
    }
    return firedThisTurn.computeIfAbsent(match.getRule().getName(), r -> new HashMap<>())
        .computeIfAbsent(whose, o -> new Firings());
  }

  /**
   * Whether a match may fire in this turn: not once its rule has fired {@link #MAX_FIRINGS_PER_RULE}
   * times for the same customer (a loop), nor, once the turn ran over {@link #MAX_TURN_NANOS}, if that
   * rule and customer fired the most. A refused match is dropped from the agenda; other rules and other
   * customers go on.
   */
  private boolean allowed(Match match) {
    Firings f = firingsOf(match);
    if (f.stopped) {
      return false;
    }
    boolean looping = f.count >= MAX_FIRINGS_PER_RULE;
    boolean slow = f.count > 0 && f.count == mostFiredThisTurn && System.nanoTime() - turnStartedAt > MAX_TURN_NANOS;
    if (looping || slow) {
      String rule = match.getRule().getName();
      f.stopped = true;
      stopped.merge(rule, 1, Integer::sum);
      LOG.warn("rule \"{}\" fired {} times for one customer in {} ms of one turn and was stopped for them: {}",
          rule, f.count, (System.nanoTime() - turnStartedAt) / 1_000_000, looping ? "it loops (check what its "
              + "consequence updates, or add no-loop)" : "the rules ran too long");
      return false;
    }
    return true;
  }

  /** How often each rule was stopped for looping or running too long, since the session started. */
  public Map<String, Integer> stoppedRules() {
    settle();
    return Map.copyOf(stopped);
  }

  /** Hands the customer's waiting asks to the gate together, and their decisions on. */
  private void decideWaiting(String customerId) {
    List<PendingAsk> group = waiting.remove(customerId);
    if (group == null) {
      return;
    }
    List<Asked> asks = new ArrayList<>(group.size());
    for (PendingAsk p : group) {
      asks.add(new Asked(p.engagement, p.priority, p.orTip));
    }
    CustomerState state = customers.get(customerId);
    CustomerView view = state == null ? new CustomerView(null, List.of())
        : new CustomerView(state.journey, state.interactions.facts());
    try {
      for (Decision d : gate.decide(asks, view, Instant.ofEpochMilli(now))) {
        decisions.accept(d);
      }
    } catch (RuntimeException failure) {
      LOG.error("{} engagements of rule \"{}\" could not be decided", group.size(), group.get(0).engagement.rule(),
          failure);
    }
  }

  /** An ask until the gate decides it; a rule may still add its fallback tip. */
  private static final class PendingAsk implements Actions.Fallback {
    final Engagement engagement;
    final int priority;
    final long due;
    Map<String, String> orTip = Map.of();

    PendingAsk(Engagement engagement, int priority, long due) {
      this.engagement = engagement;
      this.priority = priority;
      this.due = due;
    }

    @Override
    public void orTip(String title, String body) {
      Map<String, String> tip = new java.util.LinkedHashMap<>();
      tip.put("title", java.util.Objects.requireNonNull(title, "title"));
      tip.put("body", java.util.Objects.requireNonNull(body, "body"));
      orTip = tip;
    }
  }

  private static final Actions.Fallback NO_FALLBACK = (title, body) -> { };

  private Actions.Fallback ask(EngagementType type, String key, Map<String, String> fields) {
    Match match = firing;
    if (match == null) {
      throw new NudgeException("nudge actions can only be used in a rule's consequence");
    }
    Rule rule = match.getRule();
    String customerId = customerOf(match);
    CustomerState state = customers.get(customerId);
    if (state == null) {
      return NO_FALLBACK; // an event fact of a customer removed (merged, erased, forgotten) meanwhile
    }
    if (!state.markAsked(rule.getName() + '\u0000' + key)) {
      return NO_FALLBACK;
    }
    Journey j = state.journey;
    String id = EngagementIds.of(customerId, rule.getName(), key, j.getSessionStartedAt());
    Offer offer = new Offer(customerId, rule.getName(), key, type.id(), id, now);
    state.offers.add(offer, kie.insert(offer));
    dirty.add(customerId);
    Map<String, Object> context = JourneySummary.of(j, reasonOf(rule), RuleExplanations.dataUsed(rule));
    context.put("matched", MatchSummary.of(match.getObjects()));
    PendingAsk pending = new PendingAsk(new Engagement(id, type, rule.getName(), Instant.ofEpochMilli(now),
        customerId, j.getAnonymousId(), j.getUserId(), fields, context), priorityOf(rule), now + arbitrationMillis);
    asked.add(pending);
    return pending;
  }

  /** The rule's {@code @priority(n)} metadata; 0 when it has none (RulePack rejects a non-integer). */
  static int priorityOf(Rule rule) {
    Object p = rule.getMetaData().get("priority");
    if (p == null) {
      return 0;
    }
    if (p instanceof Number n) {
      return n.intValue();
    }
    try {
      return Integer.parseInt(p.toString().replace("\"", "").trim());
    } catch (NumberFormatException e) {
      return 0;
    }
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
    String reason = RuleExplanations.reason(rule);
    return reason.isEmpty() ? rule.getName() : reason;
  }

  /** Decides the asks still waiting ({@link #decideAllWaiting}), then frees the session. */
  @Override
  public void close() {
    decideAllWaiting();
    kie.dispose();
  }
}
