package io.nudge.engine.store;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.EngagementType;
import io.nudge.engine.Purpose;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stored forms of decisions and consent choices: version 1. */
public final class RecordCodec {
  private static final byte VERSION = 1;

  private RecordCodec() {}

  public static byte[] decision(Decision d) {
    return Binary.write(w -> {
      w.small(VERSION);
      Engagement e = d.engagement();
      w.text(e.id());
      w.small(e.type().ordinal());
      w.text(e.rule());
      w.number(e.createdAt().toEpochMilli());
      w.text(e.customerId());
      w.text(e.anonymousId());
      w.text(e.userId());
      w.value(e.fields());
      w.value(e.context());
      w.small(d.outcome().ordinal());
      w.text(d.reason());
      w.number(d.decidedAt().toEpochMilli());
    });
  }

  public static Decision decision(byte[] bytes) {
    return Binary.read(bytes, r -> {
      checkVersion(r.small(), "decision");
      String id = r.text();
      EngagementType type = EngagementType.values()[r.small()];
      String rule = r.text();
      Instant createdAt = Instant.ofEpochMilli(r.number());
      String customerId = r.text();
      String anonymousId = r.text();
      String userId = r.text();
      Map<String, String> fields = new LinkedHashMap<>();
      r.map().forEach((k, v) -> fields.put(k, String.valueOf(v)));
      Map<String, Object> context = r.map();
      Engagement e = new Engagement(id, type, rule, createdAt, customerId, anonymousId, userId, fields, context);
      Decision.Outcome outcome = Decision.Outcome.values()[r.small()];
      return new Decision(e, outcome, r.text(), Instant.ofEpochMilli(r.number()));
    });
  }

  /** A customer's consent as stored: the current choice per purpose and the choices made, oldest first. */
  public record ConsentState(Map<Purpose, ConsentRecord> current, java.util.List<ConsentRecord> history) {}

  /** Version 2: current choices, then history (version 1 had the current choices only). */
  public static byte[] consent(ConsentState state) {
    return Binary.write(w -> {
      w.small(2);
      writeChoices(w, state.current().values());
      writeChoices(w, state.history());
    });
  }

  public static ConsentState consent(byte[] bytes) {
    return Binary.read(bytes, r -> {
      int version = r.small();
      if (version != 1 && version != 2) {
        throw new IOException("consent record version " + version + " is not known to this Nudge");
      }
      java.util.List<ConsentRecord> current = readChoices(r);
      Map<Purpose, ConsentRecord> choices = new EnumMap<>(Purpose.class);
      current.forEach(c -> choices.put(c.purpose(), c));
      return new ConsentState(choices, version == 1 ? current : readChoices(r));
    });
  }

  private static void writeChoices(Binary.Writer w, java.util.Collection<ConsentRecord> choices)
      throws IOException {
    w.small(choices.size());
    for (ConsentRecord c : choices) {
      w.small(c.purpose().ordinal());
      w.flag(c.granted());
      w.text(c.source());
      w.number(c.at().toEpochMilli());
    }
  }

  private static java.util.List<ConsentRecord> readChoices(Binary.Reader r) throws IOException {
    int n = r.small();
    java.util.List<ConsentRecord> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Purpose p = Purpose.values()[r.small()];
      boolean granted = r.flag();
      String source = r.text(); // one of a few words ("event", "api"...): one copy of each, not one a record
      out.add(new ConsentRecord(p, granted, source == null ? null : source.intern(),
          Instant.ofEpochMilli(r.number())));
    }
    return out;
  }

  private static void checkVersion(int version, String what) throws IOException {
    if (version != VERSION) {
      throw new IOException(what + " record version " + version + " is not known to this Nudge");
    }
  }
}
