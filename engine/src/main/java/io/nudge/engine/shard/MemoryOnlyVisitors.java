package io.nudge.engine.shard;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Event;
import io.nudge.engine.Purpose;
import io.nudge.engine.consent.MemoryOnlyConsentStore;
import io.nudge.engine.identity.IdentityRegistry;
import io.nudge.engine.privacy.MemoryOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which devices are served from memory only because they denied analytics ({@link MemoryOnly}), and
 * the routing of their events: decided per event at submit, before identity resolution, so a
 * memory-only device never gets a link. Thread-safe; the set lives in memory only and is forgotten
 * with each visit.
 */
final class MemoryOnlyVisitors {
  private final IdentityRegistry identities;
  private final MemoryOnlyConsentStore consent;
  /** Device key to its memory-only customer id. */
  private final Map<String, String> devices = new ConcurrentHashMap<>();
  /** Memory-only customers whose device the current submit stores again; per calling thread. */
  private final ThreadLocal<List<String>> leaving = ThreadLocal.withInitial(ArrayList::new);
  private final AtomicLong sequence = new AtomicLong();

  MemoryOnlyVisitors(IdentityRegistry identities, MemoryOnlyConsentStore consent) {
    this.identities = identities;
    this.consent = consent;
  }

  /**
   * The customer id to serve the event's visitor from memory, or null to store them: the event
   * denies analytics, or the device did so before (by event, or through the API on its customer).
   */
  String route(Event event) {
    String device = MemoryOnly.deviceOf(event);
    if (device == null || event.type() == Event.EventType.ALIAS || event.type() == Event.EventType.INTERACTION) {
      return null;
    }
    Boolean said = MemoryOnly.analyticsChoice(event);
    if (Boolean.TRUE.equals(said)) {
      leave(device);
      return null;
    }
    String customerId = MemoryOnly.PREFIX + device;
    Optional<String> stored = identities.customerOf(event.anonymousId() != null ? event.anonymousId()
        : event.userId());
    ConsentRecord storedChoice = stored.map(c -> consent.current(c).get(Purpose.ANALYTICS)).orElse(null);
    boolean known = devices.containsKey(device);
    if (known && storedChoice != null && storedChoice.granted() && !Boolean.FALSE.equals(said)) {
      leave(device); // granted again, through the API
      return null;
    }
    if (!known && !Boolean.FALSE.equals(said) && (storedChoice == null || storedChoice.granted())) {
      return null;
    }
    // the stored customer's choices (chat, callback) hold for this device, and its choices are theirs
    stored.ifPresent(owner -> consent.link(customerId, owner));
    devices.put(device, customerId);
    return customerId;
  }

  /** The device is stored again: the choices it made while in memory go with it. */
  private void leave(String device) {
    String was = devices.remove(device);
    if (was != null) {
      leaving.get().add(was);
    }
  }

  /**
   * Hands the choices of the memory-only customers this thread's last {@link #route} call stored
   * again to the stored customer the event resolved to (the newest choice per purpose wins).
   */
  void carryChoicesTo(String customerId) {
    List<String> left = leaving.get();
    for (String was : left) {
      for (ConsentRecord c : consent.current(was).values()) {
        consent.record(customerId, c);
      }
    }
    left.clear();
  }

  /** A sequence for a memory-only event; never checkpointed, only ordered. */
  long nextSequence() {
    return sequence.incrementAndGet();
  }

  /** The memory-only customer of an anonymous id, if that device is served from memory now. */
  Optional<String> customerOfAnonymousId(String anonymousId) {
    return Optional.ofNullable(devices.get("a:" + anonymousId));
  }

  /** The session forgot this customer (their visit ended): forget the device and its choices too. */
  void forgotten(String customerId) {
    devices.remove(customerId.substring(MemoryOnly.PREFIX.length()), customerId);
    consent.forget(customerId);
  }

  /** Forgets a device at once (an erasure). */
  void forgetDevice(String device) {
    String customerId = devices.remove(device);
    if (customerId != null) {
      consent.forget(customerId);
    }
  }
}
