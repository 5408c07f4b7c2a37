package io.nudge.engine;

import java.util.Locale;
import java.util.Optional;

/** What a customer can consent to. Each engagement type needs one purpose before it may leave. */
public enum Purpose {
  ANALYTICS("analytics"),
  PERSONALIZATION("personalization"),
  PROACTIVE_CHAT("proactive_chat"),
  CALLBACK("callback");

  private final String id;

  Purpose(String id) {
    this.id = id;
  }

  /** The name used in the HTTP API, in rules and in decision reasons, for example {@code proactive_chat}. */
  public String id() {
    return id;
  }

  public static Optional<Purpose> fromId(String id) {
    if (id == null) {
      return Optional.empty();
    }
    String wanted = id.toLowerCase(Locale.ROOT);
    for (Purpose p : values()) {
      if (p.id.equals(wanted)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
