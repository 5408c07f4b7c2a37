package io.nudge.engine.privacy;

import io.nudge.engine.Event;
import io.nudge.engine.Purpose;

/**
 * A visitor who denied {@code analytics} (by consent, or by a browser privacy signal) is served from
 * memory only: their events are never written to the event log, their journey is never saved, their
 * devices are never linked to a profile, and the engine forgets them once their visit has ended.
 * They get a customer id of their own, {@code x:} followed by the device, so nothing of them mixes
 * with a stored customer.
 */
public final class MemoryOnly {
  /** The start of every memory-only customer id. */
  public static final String PREFIX = "x:";

  private MemoryOnly() {}

  public static boolean is(String customerId) {
    return customerId != null && customerId.startsWith(PREFIX);
  }

  /** The device key of an event ({@code a:<anonymousId>}, else {@code u:<userId>}), or null. */
  public static String deviceOf(Event event) {
    if (event.anonymousId() != null) {
      return "a:" + event.anonymousId();
    }
    return event.userId() == null ? null : "u:" + event.userId();
  }

  /**
   * What the event itself says of analytics: false when a privacy signal or the consent it carries
   * denies it (a signal wins), true when its consent grants it, null when it says nothing.
   */
  public static Boolean analyticsChoice(Event event) {
    Event.EventContext c = event.context();
    if (c == null) {
      return null;
    }
    if (Boolean.FALSE.equals(c.signals().get(Purpose.ANALYTICS))) {
      return false;
    }
    return c.consent().get(Purpose.ANALYTICS);
  }
}
