package io.nudge.engine.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Timelines in memory, the newest {@value #KEPT} entries of each customer. */
public final class MemoryTimeline implements TimelineStore {
  static final int KEPT = 500;
  private final ConcurrentHashMap<String, ArrayDeque<Entry>> byCustomer = new ConcurrentHashMap<>();

  @Override
  public void append(String customerId, Entry entry) {
    ArrayDeque<Entry> list = byCustomer.computeIfAbsent(customerId, k -> new ArrayDeque<>());
    synchronized (list) {
      list.addLast(entry);
      if (list.size() > KEPT) {
        list.removeFirst();
      }
    }
  }

  @Override
  public void forEach(java.util.function.BiConsumer<String, Entry> consumer) {
    byCustomer.forEach((customer, list) -> {
      List<Entry> copy;
      synchronized (list) {
        copy = List.copyOf(list);
      }
      copy.forEach(e -> consumer.accept(customer, e));
    });
  }

  @Override
  public int erase(String customerId) {
    ArrayDeque<Entry> list = byCustomer.remove(customerId);
    if (list == null) {
      return 0;
    }
    synchronized (list) {
      return list.size();
    }
  }

  @Override
  public List<Entry> newestFirst(String customerId, long beforeSequence, int limit) {
    ArrayDeque<Entry> list = byCustomer.get(customerId);
    List<Entry> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    synchronized (list) {
      for (Iterator<Entry> it = list.descendingIterator(); it.hasNext() && out.size() < limit;) {
        Entry e = it.next();
        if (e.sequence() < beforeSequence) {
          out.add(e);
        }
      }
    }
    return out;
  }
}
