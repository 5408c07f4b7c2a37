package io.nudge.engine.store;

import java.util.function.BiConsumer;

/**
 * Links from ids ({@code a:<anonymousId>}, {@code u:<userId>}, {@code m:<merged customer>}) to
 * customers. The value is the registry's own text (customer id, reason and time). Thread-safe.
 */
public interface IdentityStore {

  void link(String idKey, String customerId);

  /** Removes the key and what it links to. */
  void unlink(String idKey);

  void forEach(BiConsumer<String, String> consumer);
}
