package io.nudge.engine;

import java.time.Instant;
import java.util.List;

/**
 * The ids a customer is known by, and how each came to be linked.
 *
 * @param links every anonymousId and userId of the customer
 * @param merged customers merged into this one (second devices)
 * @param conflicts identify calls that would have merged another customer with its own userId
 */
public record CustomerIds(List<Link> links, List<String> merged, List<Conflict> conflicts) {

  /**
   * One id.
   *
   * @param id the anonymousId or userId
   * @param kind {@code anonymousId} or {@code userId}
   * @param reason why it is linked: {@code first seen}, {@code identify}, {@code alias}, {@code merge}
   *     (its device's customer was merged into this one) or {@code consent} (named by a consent call
   *     before any event)
   * @param at when it was linked
   */
  public record Link(String id, String kind, String reason, Instant at) {}

  /**
   * @param anonymousId the device that identified
   * @param otherCustomer the customer on the other side, not merged
   */
  public record Conflict(String anonymousId, String otherCustomer) {}
}
