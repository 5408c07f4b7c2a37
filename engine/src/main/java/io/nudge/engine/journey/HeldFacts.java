package io.nudge.engine.journey;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.kie.api.runtime.rule.FactHandle;

/**
 * A customer's facts of one kind (offers, interactions, outcomes), in the order added, each with its
 * handle once it is in the session. Facts and handles share one array, made only at the first fact:
 * most customers never have an offer, an interaction or an outcome, and an idle journey should cost
 * little.
 *
 * <p>Not thread-safe, like the session that owns it.
 */
final class HeldFacts<T> implements Iterable<T> {
  private static final Object[] NONE = {};
  /** fact 0, handle 0, fact 1, handle 1, ... */
  private Object[] slots = NONE;
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    check(i);
    return (T) slots[2 * i];
  }

  /** The handle of fact {@code i}, or null when it is not in a session (decoded only). */
  FactHandle handle(int i) {
    check(i);
    return (FactHandle) slots[2 * i + 1];
  }

  /** Adds a fact not in any session yet. */
  void add(T fact) {
    add(fact, null);
  }

  void add(T fact, FactHandle handle) {
    if (2 * size == slots.length) {
      slots = java.util.Arrays.copyOf(slots, Math.max(4, slots.length * 2));
    }
    slots[2 * size] = fact;
    slots[2 * size + 1] = handle;
    size++;
  }

  void setHandle(int i, FactHandle handle) {
    check(i);
    slots[2 * i + 1] = handle;
  }

  /** Removes the oldest fact and returns its handle (null when it had none). */
  FactHandle removeFirst() {
    if (size == 0) {
      throw new NoSuchElementException("no facts held");
    }
    FactHandle handle = (FactHandle) slots[1];
    System.arraycopy(slots, 2, slots, 0, 2 * (size - 1));
    size--;
    slots[2 * size] = null;
    slots[2 * size + 1] = null;
    return handle;
  }

  void clear() {
    slots = NONE;
    size = 0;
  }

  /** A copy of the facts, oldest first. */
  List<T> facts() {
    List<T> facts = new ArrayList<>(size);
    for (T fact : this) {
      facts.add(fact);
    }
    return facts;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public T next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return get(next++);
      }
    };
  }

  private void check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("fact " + i + " of " + size);
    }
  }
}
