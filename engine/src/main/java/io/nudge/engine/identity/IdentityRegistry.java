package io.nudge.engine.identity;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which customer each anonymousId and userId belongs to. A customer's canonical id is the first id
 * Nudge saw for them (their userId if the first event had one, else their anonymousId), so it is
 * stable and needs no lookup for a first event. Thread-safe.
 *
 * <p>An identify that names a known anonymousId and a new userId links the userId to that customer,
 * and the other way round. When both are already known as different customers, the event goes to
 * the userId's customer and nothing is merged.
 */
public final class IdentityRegistry {
  private final ConcurrentHashMap<String, String> customerById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> anonymousIdsByCustomer = new ConcurrentHashMap<>();

  /** The customer of an event, linking its ids when one of them is new. */
  public String resolve(String anonymousId, String userId) {
    String byUser = userId == null ? null : customerById.get(userKey(userId));
    if (byUser != null) {
      link(anonymousId, null, byUser);
      return byUser;
    }
    String byAnonymous = anonymousId == null ? null : customerById.get(anonymousKey(anonymousId));
    if (byAnonymous != null) {
      return link(null, userId, byAnonymous);
    }
    return link(anonymousId, userId, userId != null ? userId : anonymousId);
  }

  /** Links {@code userId} to the customer {@code previousId} belongs to (Segment's alias call). */
  public String alias(String previousId, String userId) {
    Optional<String> previous = customerOf(previousId);
    if (previous.isEmpty()) {
      return resolve(null, userId);
    }
    return link(null, userId, previous.get());
  }

  /** The customer known by this userId, anonymousId or canonical id. */
  public Optional<String> customerOf(String anyId) {
    if (anyId == null) {
      return Optional.empty();
    }
    String c = customerById.get(userKey(anyId));
    if (c == null) {
      c = customerById.get(anonymousKey(anyId));
    }
    return Optional.ofNullable(c);
  }

  /** The anonymousIds (devices, browsers) linked to a customer. */
  public Set<String> anonymousIdsOf(String customerId) {
    Set<String> ids = anonymousIdsByCustomer.get(customerId);
    return ids == null ? Set.of() : Set.copyOf(ids);
  }

  /** Links the ids that are still free to {@code customerId}; returns the customer that owns userId. */
  private String link(String anonymousId, String userId, String customerId) {
    String owner = customerId;
    if (userId != null) {
      String prior = customerById.putIfAbsent(userKey(userId), customerId);
      if (prior != null) {
        owner = prior;
      }
    }
    if (anonymousId != null) {
      String prior = customerById.putIfAbsent(anonymousKey(anonymousId), owner);
      if (prior == null) {
        anonymousIdsByCustomer.computeIfAbsent(owner, k -> ConcurrentHashMap.newKeySet()).add(anonymousId);
      } else if (userId == null) {
        owner = prior;
      }
    }
    return owner;
  }

  private static String userKey(String id) {
    return "u:" + id;
  }

  private static String anonymousKey(String id) {
    return "a:" + id;
  }
}
