package io.nudge.server.admin;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.CustomerIds;
import io.nudge.engine.Decision;
import io.nudge.engine.Event;
import io.nudge.engine.NudgeEngine;
import io.nudge.engine.Purpose;
import io.nudge.engine.decision.OutcomeRecord;
import io.nudge.engine.facts.Journey;
import io.nudge.engine.store.LoggedEvent;
import io.nudge.engine.store.TimelineStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything Nudge holds about one customer, as the export shows it: ids and why each is linked,
 * consent with its history, the journey, the timeline (interactions also on their own), decisions
 * with what became of them, and the events still in the event log. Oldest first throughout. Reads the
 * whole event log: for an operator's request, not a hot path.
 */
public final class CustomerExport {
  private CustomerExport() {}

  public static JsonObject toJson(NudgeEngine engine, String customerId, Journey journey, Instant now) {
    List<TimelineStore.Entry> timeline = new ArrayList<>(engine.timeline(customerId, Long.MAX_VALUE,
        Integer.MAX_VALUE));
    java.util.Collections.reverse(timeline);
    return new JsonObject()
        .put("customerId", customerId)
        .put("exportedAt", now.toString())
        .put("ids", ids(engine.ids(customerId)))
        .put("consent", consent(engine.consent(customerId), engine.consentHistory(customerId)))
        .put("journey", journey == null ? null : JourneyJson.toJson(journey))
        .put("timeline", timeline(timeline))
        .put("interactions", interactions(timeline))
        .put("decisions", decisions(engine, customerId))
        .put("events", events(engine.loggedEvents(customerId)));
  }

  private static JsonObject ids(CustomerIds ids) {
    JsonArray links = new JsonArray();
    ids.links().forEach(l -> links.add(new JsonObject().put("id", l.id()).put("kind", l.kind())
        .put("reason", l.reason()).put("linkedAt", l.at().toString())));
    JsonArray conflicts = new JsonArray();
    ids.conflicts().forEach(c -> conflicts.add(new JsonObject().put("anonymousId", c.anonymousId())
        .put("otherCustomer", c.otherCustomer())));
    return new JsonObject().put("links", links).put("merged", new JsonArray(ids.merged()))
        .put("conflicts", conflicts);
  }

  private static JsonObject consent(Map<Purpose, ConsentRecord> current, List<ConsentRecord> history) {
    JsonObject now = new JsonObject();
    for (Purpose p : Purpose.values()) {
      ConsentRecord c = current.get(p);
      if (c != null) {
        now.put(p.id(), new JsonObject().put("granted", c.granted()).put("source", c.source())
            .put("at", c.at().toString()));
      }
    }
    JsonArray past = new JsonArray();
    history.forEach(c -> past.add(new JsonObject().put("purpose", c.purpose().id()).put("granted", c.granted())
        .put("source", c.source()).put("at", c.at().toString())));
    return new JsonObject().put("current", now).put("history", past);
  }

  private static JsonArray timeline(List<TimelineStore.Entry> entries) {
    JsonArray out = new JsonArray();
    for (TimelineStore.Entry e : entries) {
      out.add(new JsonObject().put("sequence", e.sequence()).put("at", Instant.ofEpochMilli(e.at()).toString())
          .put("kind", e.kind()).put("title", e.title())
          .put("details", new JsonObject(new LinkedHashMap<>(e.details()))));
    }
    return out;
  }

  private static JsonArray interactions(List<TimelineStore.Entry> entries) {
    JsonArray out = new JsonArray();
    for (TimelineStore.Entry e : entries) {
      if (e.kind().equals("interaction")) {
        JsonObject i = new JsonObject().put("startedAt", Instant.ofEpochMilli(e.at()).toString())
            .put("channel", e.title());
        e.details().forEach(i::put);
        out.add(i);
      }
    }
    return out;
  }

  private static JsonArray decisions(NudgeEngine engine, String customerId) {
    JsonArray out = new JsonArray();
    for (Decision d : engine.decisions(customerId)) {
      JsonArray outcomes = new JsonArray();
      for (OutcomeRecord o : engine.outcomes(d.engagement().id())) {
        outcomes.add(new JsonObject().put("outcome", o.outcome()).put("at", o.at().toString()));
      }
      out.add(DecisionJson.of(d)
          .put("context", new JsonObject(new LinkedHashMap<>(d.engagement().context())))
          .put("outcomes", outcomes));
    }
    return out;
  }

  private static JsonArray events(List<LoggedEvent> logged) {
    JsonArray out = new JsonArray();
    for (LoggedEvent le : logged) {
      Event e = le.event();
      out.add(new JsonObject()
          .put("sequence", le.sequence())
          .put("receivedAt", Instant.ofEpochMilli(le.receivedAt()).toString())
          .put("type", e.type().id())
          .put("name", e.name())
          .put("anonymousId", e.anonymousId())
          .put("userId", e.userId())
          .put("previousId", e.previousId())
          .put("timestamp", e.timestamp().toString())
          .put("properties", new JsonObject(new LinkedHashMap<>(e.properties())))
          .put("traits", new JsonObject(new LinkedHashMap<>(e.traits())))
          .put("context", context(e.context())));
    }
    return out;
  }

  private static JsonObject context(Event.EventContext c) {
    JsonObject out = new JsonObject();
    if (c.page() != null) {
      out.put("page", new JsonObject().put("path", c.page().path()).put("url", c.page().url())
          .put("title", c.page().title()).put("referrer", c.page().referrer()).put("search", c.page().search()));
    }
    if (c.campaign() != null) {
      Event.Campaign k = c.campaign();
      out.put("campaign", new JsonObject().put("source", k.source()).put("medium", k.medium())
          .put("name", k.name()).put("term", k.term()).put("content", k.content()));
    }
    out.put("userAgent", c.userAgent()).put("locale", c.locale()).put("timezone", c.timezone());
    JsonObject consent = new JsonObject();
    JsonObject signals = new JsonObject();
    for (Purpose p : Purpose.values()) {
      if (c.consent().containsKey(p)) {
        consent.put(p.id(), c.consent().get(p));
      }
      if (c.signals().containsKey(p)) {
        signals.put(p.id(), c.signals().get(p));
      }
    }
    return out.put("consent", consent).put("signals", signals);
  }
}
