package io.nudge.engine.facts;

/**
 * What the customer did with an engagement: it was {@code shown}, {@code accepted}, {@code declined},
 * {@code ignored}, {@code converted} or {@code expired}. Kept for the visit it happened in, so rules can
 * say "not after a decline in this visit":
 *
 * <pre>{@code not EngagementOutcome( customerId == $c, type == "proactive_chat", outcome == "declined" )}</pre>
 */
public final class EngagementOutcome implements CustomerFact {
  private final String customerId;
  private final String engagementId;
  private final String rule;
  private final String type;
  private final String outcome;
  private final long at;

  public EngagementOutcome(String customerId, String engagementId, String rule, String type, String outcome,
      long at) {
    this.customerId = customerId;
    this.engagementId = engagementId;
    this.rule = rule;
    this.type = type;
    this.outcome = outcome;
    this.at = at;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  public String getEngagementId() {
    return engagementId;
  }

  /** The rule that asked for the engagement. */
  public String getRule() {
    return rule;
  }

  /** {@code proactive_chat}, {@code callback} or {@code tip}. */
  public String getType() {
    return type;
  }

  /** {@code shown}, {@code accepted}, {@code declined}, {@code ignored}, {@code converted} or {@code expired}. */
  public String getOutcome() {
    return outcome;
  }

  /** When it happened, epoch milliseconds. */
  public long getAt() {
    return at;
  }

  @Override
  public String toString() {
    return "EngagementOutcome[" + customerId + " " + engagementId + " " + outcome + "]";
  }
}
