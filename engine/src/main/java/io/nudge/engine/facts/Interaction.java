package io.nudge.engine.facts;

import org.kie.api.definition.type.Expires;
import org.kie.api.definition.type.Role;
import org.kie.api.definition.type.Timestamp;

/**
 * A contact with the customer through another channel — a call, a chat, an email, a social message,
 * an in-store visit — posted by the contact centre. A Drools event timed at {@link #getStartedAt()},
 * kept 30 days, so rules can say "an unresolved contact in the last 7 days" with {@code before}.
 */
@Role(Role.Type.EVENT)
@Timestamp("startedAt")
@Expires("30d")
public final class Interaction implements CustomerFact {
  private final String customerId;
  private final String channel;
  private final String direction;
  private final long startedAt;
  private final long endedAt;
  private final String queue;
  private final String agentId;
  private final String caseId;
  private final String reason;
  private final boolean resolved;
  private final int csat;
  private final int nps;

  public Interaction(String customerId, String channel, String direction, long startedAt, long endedAt,
      String queue, String agentId, String caseId, String reason, boolean resolved, int csat, int nps) {
    this.customerId = customerId;
    this.channel = channel;
    this.direction = direction;
    this.startedAt = startedAt;
    this.endedAt = endedAt;
    this.queue = queue == null ? "" : queue;
    this.agentId = agentId == null ? "" : agentId;
    this.caseId = caseId == null ? "" : caseId;
    this.reason = reason == null ? "" : reason;
    this.resolved = resolved;
    this.csat = csat;
    this.nps = nps;
  }

  @Override
  public String getCustomerId() {
    return customerId;
  }

  /** {@code call}, {@code chat}, {@code email}, {@code social} or {@code store}. */
  public String getChannel() {
    return channel;
  }

  /** {@code inbound} or {@code outbound}. */
  public String getDirection() {
    return direction;
  }

  /** When it started, epoch milliseconds; the event's time for temporal operators. */
  public long getStartedAt() {
    return startedAt;
  }

  /** When it ended, or 0 when not known. */
  public long getEndedAt() {
    return endedAt;
  }

  /** The queue that handled it, or "". */
  public String getQueue() {
    return queue;
  }

  public String getAgentId() {
    return agentId;
  }

  /** The case it belongs to in the contact centre's system, or "". */
  public String getCaseId() {
    return caseId;
  }

  /** Why the customer got in touch, as the contact centre recorded it, or "". */
  public String getReason() {
    return reason;
  }

  /** True when the customer's matter was resolved in this contact. */
  public boolean isResolved() {
    return resolved;
  }

  /** Customer satisfaction 1 to 5, or 0 when not rated. */
  public int getCsat() {
    return csat;
  }

  /** Net promoter score 0 to 10, or -1 when not rated. */
  public int getNps() {
    return nps;
  }

  @Override
  public String toString() {
    return "Interaction[" + customerId + " " + channel + " " + caseId + (resolved ? " resolved" : " open") + "]";
  }
}
