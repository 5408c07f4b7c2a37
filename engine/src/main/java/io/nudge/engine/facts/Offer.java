package io.nudge.engine.facts;

/**
 * An engagement a rule asked for in this visit, whether the gate then sent or suppressed it. The
 * engine inserts it the moment the rule asks, so a rule can say "not if already offered":
 *
 * <pre>{@code not Offer(customerId == $c, rule == "form-struggle", key == $form)}</pre>
 *
 * Offers are removed when the customer's visit ends.
 */
public final class Offer implements CustomerFact {
  private final String customerId;
  private final String rule;
  private final String key;
  private final String type;
  private final String engagementId;
  private final long at;

  public Offer(String customerId, String rule, String key, String type, String engagementId, long at) {
    this.customerId = customerId;
    this.rule = rule;
    this.key = key;
    this.type = type;
    this.engagementId = engagementId;
    this.at = at;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  /** The name of the rule that asked. */
  public String getRule() {
    return rule;
  }

  /** The key given with {@code nudge.once(key)}, or "" when the rule gave none. */
  public String getKey() {
    return key;
  }

  /** {@code proactive_chat}, {@code callback} or {@code tip}. */
  public String getType() {
    return type;
  }

  public String getEngagementId() {
    return engagementId;
  }

  /** When it was asked for, epoch milliseconds on the engine clock. */
  public long getAt() {
    return at;
  }

  @Override
  public String toString() {
    return "Offer[" + customerId + " " + rule + " " + key + " " + type + "]";
  }
}
