package io.nudge.engine.identity;

import io.nudge.engine.store.IdentityStore;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which customer each anonymousId and userId belongs to. A customer's canonical id is the first id
 * Nudge saw for them (their userId if the first event had one, else their anonymousId), so it is
 * stable and needs no lookup for a first event. Thread-safe: lookups of known ids take no lock;
 * linking a new id does, so two requests racing for a new visitor never split them in two.
 *
 * <p>An identify that names a known anonymousId and a new userId links the userId to that customer,
 * and the other way round. When both are already known as different customers, the event goes to
 * the userId's customer and nothing is merged.
 */
public final class IdentityRegistry {
  private final ConcurrentHashMap<String, String> customerById = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> anonymousIdsByCustomer = new ConcurrentHashMap<>();
  private final Object linking = new Object();
  private final IdentityStore store;

  /** A registry that keeps nothing across restarts. */
  public IdentityRegistry() {
    this(new IdentityStore() {
      @Override
      public void link(String idKey, String customerId) {}

      @Override
      public void forEach(java.util.function.BiConsumer<String, String> consumer) {}
    });
  }

  /** A registry that writes every new link to {@code store} and starts with the links already there. */
  public IdentityRegistry(IdentityStore store) {
    this.store = store;
    store.forEach((key, customerId) -> {
      customerById.put(key, customerId);
      if (key.startsWith("a:")) {
        anonymousIdsByCustomer.computeIfAbsent(customerId, k -> ConcurrentHashMap.newKeySet()).add(key.substring(2));
      }
    });
  }

  /** The customer of an event, linking its ids when one of them is new. */
  public String resolve(String anonymousId, String userId) {
    String byUser = userId == null ? null : customerById.get(userKey(userId));
    String byAnonymous = anonymousId == null ? null : customerById.get(anonymousKey(anonymousId));
    if ((userId == null || byUser != null) && (anonymousId == null || byAnonymous != null)) {
      return byUser != null ? byUser : byAnonymous;
    }
    synchronized (linking) {
      byUser = userId == null ? null : customerById.get(userKey(userId));
      byAnonymous = anonymousId == null ? null : customerById.get(anonymousKey(anonymousId));
      String owner = byUser != null ? byUser : byAnonymous != null ? byAnonymous
          : userId != null ? userId : anonymousId;
      if (userId != null && byUser == null) {
        put(userKey(userId), owner);
      }
      if (anonymousId != null && byAnonymous == null) {
        claimAnonymous(anonymousId, owner);
      }
      return owner;
    }
  }

  /** Links {@code userId} to the customer {@code previousId} belongs to (Segment's alias call). */
  public String alias(String previousId, String userId) {
    synchronized (linking) {
      Optional<String> previous = customerOf(previousId);
      if (previous.isEmpty()) {
        return resolve(null, userId);
      }
      String owner = customerById.get(userKey(userId));
      if (owner == null) {
        owner = previous.get();
        put(userKey(userId), owner);
      }
      return owner;
    }
  }

  /**
   * The customer known by {@code id}; an id never seen becomes a customer of its own, known by it as
   * anonymousId and as userId, so what is recorded for it before its first event (consent, say) is
   * found whichever way that event names it.
   */
  public String resolveAny(String id) {
    Optional<String> known = customerOf(id);
    if (known.isPresent()) {
      return known.get();
    }
    synchronized (linking) {
      known = customerOf(id);
      if (known.isPresent()) {
        return known.get();
      }
      put(userKey(id), id);
      claimAnonymous(id, id);
      return id;
    }
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

  private void put(String key, String customerId) {
    store.link(key, customerId);
    customerById.put(key, customerId);
  }

  private void claimAnonymous(String anonymousId, String owner) {
    put(anonymousKey(anonymousId), owner);
    anonymousIdsByCustomer.computeIfAbsent(owner, k -> ConcurrentHashMap.newKeySet()).add(anonymousId);
  }

  private static String userKey(String id) {
    return "u:" + id;
  }

  private static String anonymousKey(String id) {
    return "a:" + id;
  }
}
