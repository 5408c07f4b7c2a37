package io.nudge.engine.store;

import io.nudge.engine.CompactMap;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/** The stored form of a logged event: version 2 (version 1, without privacy signals, is still read). */
public final class EventCodec {
  private static final byte VERSION = 2;

  private EventCodec() {}

  public static byte[] encode(LoggedEvent logged) {
    return Binary.write(w -> {
      w.small(VERSION);
      w.number(logged.receivedAt());
      w.text(logged.customerId());
      Event e = logged.event();
      w.text(e.messageId());
      w.text(e.source());
      w.small(e.type().ordinal());
      w.text(e.anonymousId());
      w.text(e.userId());
      w.text(e.previousId());
      w.text(e.name());
      w.value(e.properties());
      w.value(e.traits());
      w.number(e.timestamp().toEpochMilli());
      Event.EventContext c = e.context();
      Event.Page p = c.page();
      w.flag(p != null);
      if (p != null) {
        w.text(p.path());
        w.text(p.url());
        w.text(p.title());
        w.text(p.referrer());
        w.text(p.search());
      }
      w.text(c.userAgent());
      w.text(c.locale());
      w.text(c.timezone());
      Event.Campaign k = c.campaign();
      w.flag(k != null);
      if (k != null) {
        w.text(k.source());
        w.text(k.medium());
        w.text(k.name());
        w.text(k.term());
        w.text(k.content());
      }
      w.small(c.consent().size());
      for (Map.Entry<Purpose, Boolean> choice : c.consent().entrySet()) {
        w.small(choice.getKey().ordinal());
        w.flag(choice.getValue());
      }
      w.small(c.signals().size());
      for (Map.Entry<Purpose, Boolean> signal : c.signals().entrySet()) {
        w.small(signal.getKey().ordinal());
        w.flag(signal.getValue());
      }
    });
  }

  public static LoggedEvent decode(long sequence, byte[] bytes) {
    return Binary.read(bytes, r -> {
      int version = r.small();
      if (version != VERSION && version != 1) {
        throw new IOException("event record version " + version + " is not known to this Nudge");
      }
      long receivedAt = r.number();
      String customerId = r.text();
      String messageId = r.text();
      String source = r.text();
      Event.EventType type = Event.EventType.values()[r.small()];
      String anonymousId = r.text();
      String userId = r.text();
      String previousId = r.text();
      String name = r.text();
      // kept by the raw event in its session for ten minutes: the compact form
      Map<String, Object> properties = CompactMap.copyOf(r.map());
      Map<String, Object> traits = r.map();
      Instant timestamp = Instant.ofEpochMilli(r.number());
      Event.Page page = r.flag() ? new Event.Page(r.text(), r.text(), r.text(), r.text(), r.text()) : null;
      String userAgent = r.text();
      String locale = r.text();
      String timezone = r.text();
      Event.Campaign campaign = r.flag()
          ? new Event.Campaign(r.text(), r.text(), r.text(), r.text(), r.text()) : null;
      int choices = r.small();
      Map<Purpose, Boolean> consent = new EnumMap<>(Purpose.class);
      for (int i = 0; i < choices; i++) {
        consent.put(Purpose.values()[r.small()], r.flag());
      }
      Map<Purpose, Boolean> signals = new EnumMap<>(Purpose.class);
      int signalled = version == 1 ? 0 : r.small();
      for (int i = 0; i < signalled; i++) {
        signals.put(Purpose.values()[r.small()], r.flag());
      }
      Event event = new Event(messageId, source, type, anonymousId, userId, previousId, name, properties, traits,
          timestamp, new Event.EventContext(page, userAgent, locale, timezone, campaign, consent,
              signals));
      return new LoggedEvent(sequence, receivedAt, customerId, event);
    });
  }
}
