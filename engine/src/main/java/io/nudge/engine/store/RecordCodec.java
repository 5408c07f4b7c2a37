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

  public static byte[] consent(Map<Purpose, ConsentRecord> choices) {
    return Binary.write(w -> {
      w.small(VERSION);
      w.small(choices.size());
      for (ConsentRecord c : choices.values()) {
        w.small(c.purpose().ordinal());
        w.flag(c.granted());
        w.text(c.source());
        w.number(c.at().toEpochMilli());
      }
    });
  }

  public static Map<Purpose, ConsentRecord> consent(byte[] bytes) {
    return Binary.read(bytes, r -> {
      checkVersion(r.small(), "consent");
      int n = r.small();
      Map<Purpose, ConsentRecord> choices = new EnumMap<>(Purpose.class);
      for (int i = 0; i < n; i++) {
        Purpose p = Purpose.values()[r.small()];
        choices.put(p, new ConsentRecord(p, r.flag(), r.text(), Instant.ofEpochMilli(r.number())));
      }
      return choices;
    });
  }

  private static void checkVersion(int version, String what) throws IOException {
    if (version != VERSION) {
      throw new IOException(what + " record version " + version + " is not known to this Nudge");
    }
  }
}
