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
  private final String customerId;
  private final Map<Purpose, Boolean> allowed;
  private final Map<Purpose, String> states;

  /**
   * @param allowed per purpose, whether it is allowed now (an unset one by the consent default)
   * @param states per purpose, {@code granted}, {@code denied} or {@code unset}
   */
  public Consent(String customerId, Map<Purpose, Boolean> allowed, Map<Purpose, String> states) {
    this.customerId = customerId;
    this.allowed = new EnumMap<>(allowed);
    this.states = new EnumMap<>(states);
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
        return states.getOrDefault(p, "unset");
      }
    }
    throw new IllegalArgumentException("purpose \"" + purpose + "\" is not one of analytics, personalization, "
        + "proactive_chat, callback");
  }

  private boolean allowed(Purpose p) {
    return allowed.getOrDefault(p, false);
  }

  /** True when both say the same for every purpose: an update that changes nothing is not made. */
  public boolean sameChoicesAs(Consent other) {
    return other != null && allowed.equals(other.allowed) && states.equals(other.states);
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
    return "Consent[" + customerId + " " + states + "]";
  }
}
