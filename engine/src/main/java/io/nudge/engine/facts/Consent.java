package io.nudge.engine.facts;

import io.nudge.engine.Purpose;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The customer's consent as the gate will see it, one fact per customer, kept current by the engine
 * whenever a choice is recorded (through the API, in an event, or by a privacy signal). Rules may read
 * it, for example to ask for a callback only of customers who allow one:
 *
 * <pre>{@code Consent( customerId == $c, callback )}</pre>
 *
 * The gate checks consent again before anything is sent, so a rule need not.
 */
public final class Consent implements CustomerFact {
  private static final String[] STATES = {"unset", "granted", "denied"};
  private final String customerId;
  /** Bit {@code p.ordinal()} set when purpose {@code p} is allowed. */
  private final int allowed;
  /** Two bits per purpose, at {@code 2 * p.ordinal()}: an index into {@link #STATES}. */
  private final int states;

  /**
   * @param allowed per purpose, whether it is allowed now (an unset one by the consent default)
   * @param states per purpose, {@code granted}, {@code denied} or {@code unset}
   * @throws IllegalArgumentException for a state other than those three
   */
  public Consent(String customerId, Map<Purpose, Boolean> allowed, Map<Purpose, String> states) {
    // one fact per customer: two ints instead of two maps keep it small
    this.customerId = customerId;
    int bits = 0;
    for (Map.Entry<Purpose, Boolean> a : allowed.entrySet()) {
      if (Boolean.TRUE.equals(a.getValue())) {
        bits |= 1 << a.getKey().ordinal();
      }
    }
    this.allowed = bits;
    int codes = 0;
    for (Map.Entry<Purpose, String> e : states.entrySet()) {
      int code = java.util.Arrays.asList(STATES).indexOf(e.getValue());
      if (code < 0) {
        throw new IllegalArgumentException("consent state \"" + e.getValue() + "\" for " + e.getKey().id()
            + " is not one of unset, granted, denied");
      }
      codes |= code << (2 * e.getKey().ordinal());
    }
    this.states = codes;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  public boolean isAnalytics() {
    return allowed(Purpose.ANALYTICS);
  }

  public boolean isPersonalization() {
    return allowed(Purpose.PERSONALIZATION);
  }

  public boolean isProactiveChat() {
    return allowed(Purpose.PROACTIVE_CHAT);
  }

  public boolean isCallback() {
    return allowed(Purpose.CALLBACK);
  }

  /** {@code granted}, {@code denied} or {@code unset} for a purpose id such as {@code proactive_chat}. */
  public String state(String purpose) {
    for (Purpose p : Purpose.values()) {
      if (p.id().equals(purpose)) {
        return stateOf(p);
      }
    }
    throw new IllegalArgumentException("purpose \"" + purpose + "\" is not one of analytics, personalization, "
        + "proactive_chat, callback");
  }

  private String stateOf(Purpose p) {
    return STATES[(states >>> (2 * p.ordinal())) & 3];
  }

  private boolean allowed(Purpose p) {
    return (allowed & (1 << p.ordinal())) != 0;
  }

  /** True when both say the same for every purpose: an update that changes nothing is not made. */
  public boolean sameChoicesAs(Consent other) {
    return other != null && allowed == other.allowed && states == other.states;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Consent c && customerId.equals(c.customerId) && sameChoicesAs(c);
  }

  @Override
  public int hashCode() {
    return Objects.hash(customerId, allowed, states);
  }

  @Override
  public String toString() {
    Map<Purpose, String> shown = new EnumMap<>(Purpose.class);
    for (Purpose p : Purpose.values()) {
      shown.put(p, stateOf(p));
    }
    return "Consent[" + customerId + " " + shown + "]";
  }
}
