package io.nudge.engine.consent;

import io.nudge.engine.ConsentRecord;
import io.nudge.engine.Purpose;
import io.nudge.engine.privacy.MemoryOnly;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The consent of memory-only customers ({@link MemoryOnly}). A memory-only device of a stored customer
 * reads and writes that customer's choices (a choice is the customer's, whichever device made it, and
 * a change through the API applies to the device at once); an anonymous visitor never stored keeps
 * theirs in memory only, so they leave no trace on disk, not even their choices.
 */
public final class MemoryOnlyConsentStore implements ConsentStore {
  private final ConsentStore durable;
  private final MemoryConsentStore memory = new MemoryConsentStore();
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  public MemoryOnlyConsentStore(ConsentStore durable) {
    this.durable = durable;
  }

  /**
   * Grows whenever anyone's consent may have changed (a choice, an erasure, a link): while it stays the
   * same, a customer's consent read before still holds, and need not be read again for each event.
   */
  public long changes() {
    return changes.get();
  }

  /** The memory-only customer's choices are those of the stored customer {@code owner} from now on. */
  public void link(String memoryOnlyCustomer, String owner) {
    if (!owner.equals(owners.put(memoryOnlyCustomer, owner))) {
      changes.incrementAndGet(); // not for each event of a device already linked
    }
  }

  /** Forgets a memory-only customer's choices and link, when they are forgotten. */
  public void forget(String memoryOnlyCustomer) {
    owners.remove(memoryOnlyCustomer);
    memory.erase(memoryOnlyCustomer);
    changes.incrementAndGet();
  }

  private String target(String customerId) {
    return MemoryOnly.is(customerId) ? owners.getOrDefault(customerId, customerId) : customerId;
  }

  private ConsentStore of(String target) {
    return MemoryOnly.is(target) ? memory : durable;
  }

  @Override
  public void record(String customerId, ConsentRecord choice) {
    String t = target(customerId);
    try {
      of(t).record(t, choice);
    } finally {
      changes.incrementAndGet(); // after the write: a reader that saw the old count reads again
    }
  }

  @Override
  public Map<Purpose, ConsentRecord> current(String customerId) {
    String t = target(customerId);
    return of(t).current(t);
  }

  @Override
  public List<ConsentRecord> history(String customerId) {
    String t = target(customerId);
    return of(t).history(t);
  }

  @Override
  public int erase(String customerId) {
    String t = target(customerId);
    try {
      return of(t).erase(t);
    } finally {
      changes.incrementAndGet();
    }
  }
}
