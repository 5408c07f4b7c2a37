package io.nudge.engine;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An unmodifiable map in the order its keys were first put, held as one array of keys and values: the
 * form an event's properties take. A raw event stays in its rule session for ten minutes, so at a few
 * thousand events a second there are hundreds of thousands of these maps alive, and every young
 * collection copies the new ones. A {@code LinkedHashMap} behind {@code Collections.unmodifiableMap} is
 * nine objects for two properties once iterated (its table, entries and cached views); this is two.
 *
 * <p>Looking a key up reads the keys in turn, which is what a handful of keys wants; a map of more than
 * {@value #MAX_KEYS} keys is built as an unmodifiable {@code LinkedHashMap} instead. Values may be null.
 * Views ({@link #entrySet}, {@link #keySet}, {@link #values}) are made on each call and not kept.
 */
public final class CompactMap extends AbstractMap<String, Object> {
  /** Above this many keys a map is a {@code LinkedHashMap}, whose look-ups do not read every key. */
  public static final int MAX_KEYS = 16;

  /** Key, value, key, value, ... */
  private final Object[] keysAndValues;

  private CompactMap(Object[] keysAndValues) {
    this.keysAndValues = keysAndValues;
  }

  /** An unmodifiable copy of {@code map} in its iteration order: this class, or for a large map a LinkedHashMap. */
  public static Map<String, Object> copyOf(Map<String, ?> map) {
    if (map instanceof CompactMap c) {
      return c;
    }
    Builder b = new Builder();
    map.forEach(b::put);
    return b.build();
  }

  /** Collects keys and values in order; a key put again keeps its place and takes the new value. */
  public static final class Builder {
    private Object[] keysAndValues = new Object[8];
    private int size;

    public Builder put(String key, Object value) {
      if (key == null) {
        throw new NullPointerException("a property's key is null");
      }
      for (int i = 0; i < size * 2; i += 2) {
        if (keysAndValues[i].equals(key)) {
          keysAndValues[i + 1] = value;
          return this;
        }
      }
      if (size * 2 == keysAndValues.length) {
        keysAndValues = Arrays.copyOf(keysAndValues, keysAndValues.length * 2);
      }
      keysAndValues[size * 2] = key;
      keysAndValues[size * 2 + 1] = value;
      size++;
      return this;
    }

    /** The map: {@code Map.of()} when empty, this class up to {@value #MAX_KEYS} keys. */
    public Map<String, Object> build() {
      if (size == 0) {
        return Map.of();
      }
      if (size <= MAX_KEYS) {
        return new CompactMap(Arrays.copyOf(keysAndValues, size * 2));
      }
      Map<String, Object> large = new LinkedHashMap<>(size * 2);
      for (int i = 0; i < size * 2; i += 2) {
        large.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return Collections.unmodifiableMap(large);
    }
  }

  @Override
  public int size() {
    return keysAndValues.length / 2;
  }

  @Override
  public boolean isEmpty() {
    return keysAndValues.length == 0;
  }

  private int indexOf(Object key) {
    if (key != null) {
      for (int i = 0; i < keysAndValues.length; i += 2) {
        if (keysAndValues[i].equals(key)) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Object get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : keysAndValues[i + 1];
  }

  @Override
  public Object getOrDefault(Object key, Object defaultValue) {
    int i = indexOf(key);
    return i < 0 ? defaultValue : keysAndValues[i + 1];
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Object> action) {
    for (int i = 0; i < keysAndValues.length; i += 2) {
      action.accept((String) keysAndValues[i], keysAndValues[i + 1]);
    }
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Cursor<>() {
          @Override
          Entry<String, Object> at(int i) {
            return new SimpleImmutableEntry<>((String) keysAndValues[i], keysAndValues[i + 1]);
          }
        };
      }

      @Override
      public int size() {
        return CompactMap.this.size();
      }
    };
  }

  @Override
  public Set<String> keySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<String> iterator() {
        return new Cursor<>() {
          @Override
          String at(int i) {
            return (String) keysAndValues[i];
          }
        };
      }

      @Override
      public boolean contains(Object o) {
        return containsKey(o);
      }

      @Override
      public int size() {
        return CompactMap.this.size();
      }
    };
  }

  @Override
  public Collection<Object> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<Object> iterator() {
        return new Cursor<>() {
          @Override
          Object at(int i) {
            return keysAndValues[i + 1];
          }
        };
      }

      @Override
      public int size() {
        return CompactMap.this.size();
      }
    };
  }

  /** Walks the keys' places in order; {@code remove} is not supported, as for any unmodifiable map. */
  private abstract class Cursor<T> implements Iterator<T> {
    private int next;

    abstract T at(int keyIndex);

    @Override
    public boolean hasNext() {
      return next < keysAndValues.length;
    }

    @Override
    public T next() {
      if (next >= keysAndValues.length) {
        throw new NoSuchElementException();
      }
      T t = at(next);
      next += 2;
      return t;
    }
  }
}
