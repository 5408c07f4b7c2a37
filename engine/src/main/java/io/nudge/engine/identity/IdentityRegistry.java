package io.nudge.engine.identity;

import io.nudge.engine.store.IdentityStore;
import java.util.List;
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
 * and the other way round. When both are already known as different customers, the device's
 * customer is merged into the userId's if it has no userId of its own (a second device of the same
 * person); if it has another userId, nothing is merged and the conflict is recorded.
 */
public final class IdentityRegistry {
  private final ConcurrentHashMap<String, String> customerById = new ConcurrentHashMap<>();
  // the sets of ids per customer are immutable, replaced whole on a change (ConcurrentHashMap.merge): most
  // customers have one anonymousId and no other id, and a Set.of(one) is a tenth of a concurrent set
  private final ConcurrentHashMap<String, Set<String>> anonymousIdsByCustomer = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> userIdsByCustomer = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> contactKeysByCustomer = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> mergedInto = new ConcurrentHashMap<>();
  private final java.util.List<Conflict> conflicts = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Object linking = new Object();
  private final IdentityStore store;
  private final java.time.InstantSource clock;
  /** Why and when each key was linked. */
  private final ConcurrentHashMap<String, LinkInfo> linkInfo = new ConcurrentHashMap<>();

  /** Why (one of a few reasons, shared) and when, epoch millis, a key was linked. */
  private record LinkInfo(String reason, long at) {
    static final LinkInfo UNKNOWN = new LinkInfo("", 0);

    LinkInfo {
      reason = reason.intern();
    }
  }
  private static final String MERGED = "m:";
  private static final String SALT = "salt";
  /** A tombstone: {@code t:} and the salted hash of an erased id's key; its value is empty. */
  private static final String TOMBSTONE = "t:";
  private final Set<String> tombstones = ConcurrentHashMap.newKeySet();
  /** Keys of customers being erased: still linked, but their events are dropped already. */
  private final Set<String> erasingKeys = ConcurrentHashMap.newKeySet();
  /** The keys of each erasure begun, by customer. */
  private final ConcurrentHashMap<String, List<String>> erasures = new ConcurrentHashMap<>();
  private volatile ContactPoints contactPoints;
  /**
   * Grows whenever an id may have come to name another customer than before: an id linked to a
   * customer other than itself, moved, or unlinked. While it stays the same, {@link #customerOf} of a
   * customer id gives what it gave before, so a caller that routed an event may skip asking again.
   */
  private volatile long moves;
  private static final int MAX_CONFLICTS = 10_000;

  /** A registry that keeps nothing across restarts. */
  public IdentityRegistry() {
    this(new IdentityStore() {
      @Override
      public void link(String idKey, String customerId) {}

      @Override
      public void unlink(String idKey) {}

      @Override
      public void forEach(java.util.function.BiConsumer<String, String> consumer) {}
    }, java.time.InstantSource.system());
  }

  /** A registry that writes every new link to {@code store} and starts with the links already there. */
  public IdentityRegistry(IdentityStore store) {
    this(store, java.time.InstantSource.system());
  }

  /**
   * A registry that writes every new link to {@code store}, with when and why, and starts with the
   * links already there.
   */
  public IdentityRegistry(IdentityStore store, java.time.InstantSource clock) {
    this.store = store;
    this.clock = clock;
    String[] salt = new String[1];
    store.forEach((key, stored) -> {
      if (key.equals(SALT)) {
        salt[0] = stored;
        return;
      }
      if (key.startsWith(TOMBSTONE)) {
        tombstones.add(key.substring(TOMBSTONE.length()));
        return;
      }
      String[] parts = stored.split("\u0000", 3);
      String customerId = parts[0];
      if (parts.length == 3) {
        linkInfo.put(key, new LinkInfo(parts[1], parseMillis(parts[2])));
      }
      if (key.startsWith(MERGED)) {
        mergedInto.merge(customerId, Set.of(key.substring(2)), IdentityRegistry::union);
        return;
      }
      customerById.put(key, customerId);
      index(key, customerId);
    });
    if (salt[0] == null) {
      byte[] random = new byte[32];
      new java.security.SecureRandom().nextBytes(random);
      salt[0] = java.util.Base64.getEncoder().encodeToString(random);
      store.link(SALT, salt[0]);
    }
    this.contactPoints = new ContactPoints(java.util.Base64.getDecoder().decode(salt[0]));
  }

  /**
   * Applies a link another node of a cluster wrote to the shared store ({@code stored} as
   * {@link IdentityStore#link} got it; null when it was unlinked). A link this registry holds already
   * changes nothing; an id linked here to another customer moves, as the store's order says: the same
   * on every node.
   */
  public void learn(String key, String stored) {
    synchronized (linking) {
      if (key.equals(SALT)) {
        if (stored != null) {
          this.contactPoints = new ContactPoints(java.util.Base64.getDecoder().decode(stored));
        }
        return;
      }
      if (key.startsWith(TOMBSTONE)) {
        if (stored != null) {
          tombstones.add(key.substring(TOMBSTONE.length()));
        }
        return;
      }
      if (stored == null) {
        String old = key.startsWith(MERGED) ? null : customerById.remove(key);
        moves++;
        linkInfo.remove(key);
        if (old != null) {
          unindex(key, old);
        }
        return;
      }
      String[] parts = stored.split("\u0000", 3);
      String customerId = parts[0];
      if (parts.length == 3) {
        linkInfo.put(key, new LinkInfo(parts[1], parseMillis(parts[2])));
      }
      if (key.startsWith(MERGED)) {
        String from = key.substring(2);
        mergedInto.merge(customerId, Set.of(from), IdentityRegistry::union);
        anonymousIdsByCustomer.remove(from);
        return;
      }
      String old = customerById.put(key, customerId);
      counted(key, old, customerId);
      if (old != null && !old.equals(customerId)) {
        unindex(key, old);
      }
      index(key, customerId);
    }
  }

  /** Counts a link that may change whom an id names: see {@link #moves}. */
  private void counted(String key, String old, String customerId) {
    boolean namesACustomer = key.startsWith("a:") || key.startsWith("u:"); // what customerOf reads
    if (namesACustomer && (old != null ? !old.equals(customerId) : !idOf(key, customerId).equals(customerId))) {
      moves++;
    }
  }

  /** See {@link #moves}: compare two readings to tell whether any id may have moved in between. */
  public long moves() {
    return moves;
  }

  private void unindex(String key, String customerId) {
    ConcurrentHashMap<String, Set<String>> byCustomer = key.startsWith("a:") ? anonymousIdsByCustomer
        : key.startsWith("u:") ? userIdsByCustomer : key.startsWith("e:") || key.startsWith("p:")
        ? contactKeysByCustomer : null;
    if (byCustomer == null) {
      return;
    }
    String id = key.startsWith("a:") || key.startsWith("u:") ? key.substring(2) : key;
    byCustomer.computeIfPresent(customerId, (c, ids) -> {
      if (!ids.contains(id)) {
        return ids;
      }
      java.util.Set<String> rest = new java.util.HashSet<>(ids);
      rest.remove(id);
      return rest.isEmpty() ? null : Set.copyOf(rest);
    });
  }

  /**
   * Links the customer's email and phone (from identify traits) as weak identifiers, hashed. A weak
   * identifier never moves between customers: one already linked to another customer is recorded as
   * a conflict and left where it is.
   */
  public void linkContactPoints(String customerId, java.util.Map<String, Object> traits) {
    for (String key : contactKeys(traits)) {
      synchronized (linking) {
        String owner = customerById.get(key);
        if (owner == null) {
          put(key, customerId, "identify");
        } else if (!owner.equals(customerId) && conflicts.size() < MAX_CONFLICTS) {
          conflicts.add(new Conflict(key.substring(0, 1).equals("e") ? "email" : "phone", customerId, owner));
        }
      }
    }
  }

  /**
   * The customer of a contact-centre record that names only an email or a phone; a new customer
   * (with an id derived from the hash, never the email itself) when none has it.
   */
  public String resolveContact(java.util.Map<String, Object> traits) {
    List<String> keys = contactKeys(traits);
    for (String key : keys) {
      String owner = customerById.get(key);
      if (owner != null) {
        return owner;
      }
    }
    if (keys.isEmpty()) {
      throw new io.nudge.engine.InvalidInputException("an email or phone number is required to find the customer");
    }
    synchronized (linking) {
      for (String key : keys) {
        String owner = customerById.get(key);
        if (owner != null) {
          return owner;
        }
      }
      String id = "contact-" + keys.get(0).substring(2, 18);
      for (String key : keys) {
        put(key, id, "contact");
      }
      return id;
    }
  }

  /** A stand-in for a personal value: {@code pseudonym:} and its salted hash; equal values, equal stand-ins. */
  public String pseudonym(String value) {
    return "pseudonym:" + contactPoints.hash("value:" + value).substring(0, 32);
  }

  private List<String> contactKeys(java.util.Map<String, Object> traits) {
    List<String> keys = new java.util.ArrayList<>(2);
    if (traits.get("email") instanceof String e) {
      ContactPoints.normalEmail(e).ifPresent(n -> keys.add(contactPoints.emailKey(n)));
    }
    if (traits.get("phone") instanceof String p) {
      ContactPoints.normalPhone(p).ifPresent(n -> keys.add(contactPoints.phoneKey(n)));
    }
    return keys;
  }

  /** What resolving an event's ids did: its customer, and the customer merged into it, if any. */
  public record Resolution(String customerId, String mergedFrom) {}

  /**
   * Two customers that one identify would have merged but did not, because each has its own userId.
   *
   * @param anonymousId the device's id
   * @param deviceCustomer the customer that device belongs to
   * @param userCustomer the customer of the userId it identified as
   */
  public record Conflict(String anonymousId, String deviceCustomer, String userCustomer) {}

  /** The customer of an event, linking new ids, and merging a second device's customer into the user's. */
  public Resolution resolveEvent(String anonymousId, String userId) {
    String byUser = userId == null ? null : customerById.get(userKey(userId));
    String byAnonymous = anonymousId == null ? null : customerById.get(anonymousKey(anonymousId));
    if (byUser == null || byAnonymous == null || byUser.equals(byAnonymous)) {
      return new Resolution(resolve(anonymousId, userId), null);
    }
    synchronized (linking) {
      byUser = customerById.get(userKey(userId));
      byAnonymous = customerById.get(anonymousKey(anonymousId));
      if (byUser.equals(byAnonymous)) {
        return new Resolution(byUser, null);
      }
      if (!userIdsByCustomer.getOrDefault(byAnonymous, Set.of()).isEmpty()) {
        if (conflicts.size() < MAX_CONFLICTS) {
          conflicts.add(new Conflict(anonymousId, byAnonymous, byUser));
        }
        return new Resolution(byUser, null);
      }
      merge(byAnonymous, byUser);
      return new Resolution(byUser, byAnonymous);
    }
  }

  private void merge(String from, String into) {
    for (String anonymous : anonymousIdsByCustomer.getOrDefault(from, Set.of())) {
      put(anonymousKey(anonymous), into, "merge");
    }
    anonymousIdsByCustomer.remove(from);
    Set<String> earlier = mergedInto.remove(from);
    if (earlier != null) {
      for (String e : earlier) {
        store.link(MERGED + e, into);
      }
      mergedInto.merge(into, earlier, IdentityRegistry::union);
    }
    store.link(MERGED + from, into);
    mergedInto.merge(into, Set.of(from), IdentityRegistry::union);
  }

  /**
   * What erasing a customer took out of the registry.
   *
   * @param customerIds the customer and the customers merged into it: the ids its records are kept under
   * @param anonymousIds the anonymousIds it had
   * @param userIds the userIds it had
   * @param emails how many email addresses (hashed) it had
   * @param phones how many phone numbers (hashed) it had
   * @param tombstones how many tombstones were written: one per id, email and phone
   */
  public record Forgotten(Set<String> customerIds, Set<String> anonymousIds, Set<String> userIds, int emails,
      int phones, int tombstones) {}

  /**
   * Starts erasing the customer, the customers merged into it and every id, email and phone linked to
   * them: writes a tombstone for each (a hash salted with this installation's secret), and from now on
   * {@link #isErased} is true for events naming them, although they stay linked until
   * {@link #finishErasure}, so that an erasure that fails half-way can be asked for again by the same
   * id. Reads every link: an erasure is rare, this is not a hot path.
   */
  public Forgotten beginErasure(String customerId) {
    synchronized (linking) {
      Set<String> customers = new java.util.TreeSet<>(mergedInto(customerId));
      customers.add(customerId);
      List<String> keys = new java.util.ArrayList<>();
      customerById.forEach((key, owner) -> {
        if (customers.contains(owner)) {
          keys.add(key);
        }
      });
      Set<String> anonymous = new java.util.TreeSet<>();
      Set<String> users = new java.util.TreeSet<>();
      int[] counts = new int[2]; // emails, phones
      int written = 0;
      for (String key : keys) {
        switch (key.charAt(0)) {
          case 'a' -> anonymous.add(key.substring(2));
          case 'u' -> users.add(key.substring(2));
          case 'e' -> counts[0]++;
          default -> counts[1]++;
        }
        String tombstone = tombstoneOf(key);
        if (tombstones.add(tombstone)) {
          store.link(TOMBSTONE + tombstone, "");
          written++;
        }
      }
      erasingKeys.addAll(keys);
      erasures.put(customerId, List.copyOf(keys));
      return new Forgotten(Set.copyOf(customers), Set.copyOf(anonymous), Set.copyOf(users), counts[0], counts[1],
          written);
    }
  }

  /** Removes the links of an erasure begun with {@link #beginErasure}: only the tombstones remain. */
  public void finishErasure(Forgotten forgotten) {
    synchronized (linking) {
      String customerId = null;
      for (String c : forgotten.customerIds()) {
        if (erasures.containsKey(c)) {
          customerId = c;
        }
      }
      List<String> keys = customerId == null ? List.of() : erasures.remove(customerId);
      for (String key : keys) {
        store.unlink(key);
        customerById.remove(key);
        moves++;
        linkInfo.remove(key);
      }
      for (String c : forgotten.customerIds()) {
        if (!c.equals(customerId)) {
          store.unlink(MERGED + c);
        }
        anonymousIdsByCustomer.remove(c);
        userIdsByCustomer.remove(c);
        contactKeysByCustomer.remove(c);
        mergedInto.remove(c);
      }
      conflicts.removeIf(c -> forgotten.customerIds().contains(c.deviceCustomer())
          || forgotten.customerIds().contains(c.userCustomer()) || forgotten.anonymousIds().contains(c.anonymousId()));
      keys.forEach(erasingKeys::remove);
    }
  }

  /** Gives up an erasure begun with {@link #beginErasure}: the customer stays linked, and takes events again. */
  public void abandonErasure(Forgotten forgotten) {
    synchronized (linking) {
      for (String c : forgotten.customerIds()) {
        List<String> keys = erasures.remove(c);
        if (keys != null) {
          keys.forEach(erasingKeys::remove);
        }
      }
    }
  }

  /**
   * True when the event names an erased customer: by its anonymousId, userId or alias's previousId, or
   * (a contact-centre record with neither) by its email or phone. Free while nothing was erased, and
   * for ids linked now; otherwise one salted hash per id.
   */
  public boolean isErased(io.nudge.engine.Event event) {
    if (tombstones.isEmpty()) {
      return false;
    }
    String previous = event.previousId();
    if (erased(event.anonymousId() == null ? null : anonymousKey(event.anonymousId()))
        || erased(event.userId() == null ? null : userKey(event.userId()))
        || previous != null && (erased(anonymousKey(previous)) || erased(userKey(previous)))) {
      return true;
    }
    if (event.anonymousId() == null && event.userId() == null) {
      for (String key : contactKeys(event.traits())) {
        if (erased(key)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean erased(String key) {
    return key != null && (erasingKeys.contains(key)
        || !customerById.containsKey(key) && tombstones.contains(tombstoneOf(key)));
  }

  private String tombstoneOf(String key) {
    return contactPoints.hash("erased:" + key);
  }

  /** The customers merged into this one, oldest first is not kept: any order. */
  public Set<String> mergedInto(String customerId) {
    Set<String> from = mergedInto.get(customerId);
    return from == null ? Set.of() : from;
  }

  /** Conflicts recorded about this customer (as either side). */
  public java.util.List<Conflict> conflictsOf(String customerId) {
    return conflicts.stream()
        .filter(c -> c.deviceCustomer().equals(customerId) || c.userCustomer().equals(customerId)).toList();
  }

  /** Every id of the customer with when and why it was linked, the merged customers and the conflicts. */
  public io.nudge.engine.CustomerIds ids(String customerId) {
    java.util.List<io.nudge.engine.CustomerIds.Link> links = new java.util.ArrayList<>();
    for (String a : anonymousIdsOf(customerId)) {
      links.add(link(a, "anonymousId", anonymousKey(a)));
    }
    for (String u : userIdsOf(customerId)) {
      links.add(link(u, "userId", userKey(u)));
    }
    for (String key : contactKeysByCustomer.getOrDefault(customerId, Set.of())) {
      // shown as the start of the salted hash: the email or phone itself is not kept
      links.add(link(key.substring(2, 14), key.startsWith("e:") ? "email" : "phone", key));
    }
    links.sort(java.util.Comparator.comparing(io.nudge.engine.CustomerIds.Link::at)
        .thenComparing(io.nudge.engine.CustomerIds.Link::id));
    java.util.List<io.nudge.engine.CustomerIds.Conflict> mine = new java.util.ArrayList<>();
    for (Conflict c : conflictsOf(customerId)) {
      mine.add(new io.nudge.engine.CustomerIds.Conflict(c.anonymousId(),
          c.deviceCustomer().equals(customerId) ? c.userCustomer() : c.deviceCustomer()));
    }
    return new io.nudge.engine.CustomerIds(links, java.util.List.copyOf(new java.util.TreeSet<>(mergedInto(customerId))),
        mine);
  }

  private io.nudge.engine.CustomerIds.Link link(String id, String kind, String key) {
    LinkInfo info = linkInfo.getOrDefault(key, LinkInfo.UNKNOWN);
    return new io.nudge.engine.CustomerIds.Link(id, kind, info.reason(), java.time.Instant.ofEpochMilli(info.at()));
  }

  /** The userIds linked to a customer. */
  public Set<String> userIdsOf(String customerId) {
    Set<String> ids = userIdsByCustomer.get(customerId);
    return ids == null ? Set.of() : ids;
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
      String reason = byUser == null && byAnonymous == null ? "first seen" : "identify";
      if (userId != null && byUser == null) {
        put(userKey(userId), owner, reason);
      }
      if (anonymousId != null && byAnonymous == null) {
        claimAnonymous(anonymousId, owner, reason);
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
        put(userKey(userId), owner, "alias");
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
      put(userKey(id), id, "consent");
      claimAnonymous(id, id, "consent");
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
    return ids == null ? Set.of() : ids;
  }

  private void put(String key, String customerId, String reason) {
    long at = clock.millis();
    store.link(key, customerId + '\u0000' + reason + '\u0000' + at);
    linkInfo.put(key, new LinkInfo(reason, at));
    counted(key, customerById.put(key, customerId), customerId);
    index(key, customerId);
  }

  private void index(String key, String customerId) {
    if (key.startsWith("a:")) {
      anonymousIdsByCustomer.merge(customerId, Set.of(idOf(key, customerId)), IdentityRegistry::union);
    } else if (key.startsWith("u:")) {
      userIdsByCustomer.merge(customerId, Set.of(idOf(key, customerId)), IdentityRegistry::union);
    } else if (key.startsWith("e:") || key.startsWith("p:")) {
      contactKeysByCustomer.merge(customerId, Set.of(key), IdentityRegistry::union);
    }
  }

  /** The id in a key ({@code a:} or {@code u:} and the id), as the customer id's own copy when the same. */
  private static String idOf(String key, String customerId) {
    return key.length() - 2 == customerId.length() && key.endsWith(customerId) ? customerId : key.substring(2);
  }

  /** Both sets in a new immutable one; {@code a} itself when it holds {@code b} already. */
  private static Set<String> union(Set<String> a, Set<String> b) {
    if (a.containsAll(b)) {
      return a;
    }
    java.util.Set<String> both = new java.util.HashSet<>(a);
    both.addAll(b);
    return Set.copyOf(both);
  }

  private static long parseMillis(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0; // a link stored without its time reads as "when unknown"
    }
  }

  private void claimAnonymous(String anonymousId, String owner, String reason) {
    put(anonymousKey(anonymousId), owner, reason);
  }

  private static String userKey(String id) {
    return "u:" + id;
  }

  private static String anonymousKey(String id) {
    return "a:" + id;
  }
}
