package io.nudge.engine.store;

import java.util.function.BiConsumer;

/** Links from ids ({@code a:<anonymousId>}, {@code u:<userId>}) to customers. Thread-safe. */
public interface IdentityStore {

  void link(String idKey, String customerId);

  void forEach(BiConsumer<String, String> consumer);
}
