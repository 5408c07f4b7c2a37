package io.nudge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class CompactMapTest {

  private static Map<String, Object> of(Object... keysAndValues) {
    CompactMap.Builder b = new CompactMap.Builder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      b.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return b.build();
  }

  @Test
  void keepsTheOrderKeysWerePutIn_andReadsEachKey() {
    Map<String, Object> m = of("sku", "p-1", "price", 19.99, "quantity", 2L);
    assertEquals(List.of("sku", "price", "quantity"), new ArrayList<>(m.keySet()));
    assertEquals(List.of("p-1", 19.99, 2L), new ArrayList<>(m.values()));
    assertEquals(19.99, m.get("price"));
    assertTrue(m.containsKey("quantity"));
    assertNull(m.get("colour"));
    assertEquals("none", m.getOrDefault("colour", "none"));
    assertEquals(3, m.size());
    assertEquals("{sku=p-1, price=19.99, quantity=2}", m.toString());
  }

  @Test
  void aKeyPutAgainKeepsItsPlaceAndTakesTheNewValue_asJsonWithARepeatedKeyReadsInto_aLinkedHashMap() {
    Map<String, Object> m = of("a", 1L, "b", 2L, "a", 3L);
    Map<String, Object> linked = new LinkedHashMap<>();
    linked.put("a", 1L);
    linked.put("b", 2L);
    linked.put("a", 3L);
    assertEquals(List.of("a", "b"), new ArrayList<>(m.keySet()));
    assertEquals(3L, m.get("a"));
    assertEquals(linked, m);
    assertEquals(m, linked);
    assertEquals(linked.hashCode(), m.hashCode());
    assertEquals(new ArrayList<>(linked.entrySet()), new ArrayList<>(m.entrySet()));
  }

  @Test
  void holdsNullValues_whichAJsonNullIs() {
    Map<String, Object> m = of("coupon", null);
    assertTrue(m.containsKey("coupon"));
    assertNull(m.get("coupon"));
    assertEquals("fallback", m.getOrDefault("missing", "fallback"));
    assertNull(m.getOrDefault("coupon", "fallback"));
  }

  @Test
  void cannotBeChanged_throughItselfOrItsViews() {
    Map<String, Object> m = of("sku", "p-1");
    assertThrows(UnsupportedOperationException.class, () -> m.put("sku", "p-2"));
    assertThrows(UnsupportedOperationException.class, () -> m.remove("sku"));
    assertThrows(UnsupportedOperationException.class, m::clear);
    assertThrows(UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue("p-2"));
    Iterator<String> keys = m.keySet().iterator();
    keys.next();
    assertThrows(UnsupportedOperationException.class, keys::remove);
    assertThrows(NoSuchElementException.class, keys::next);
    assertEquals("p-1", m.get("sku"));
  }

  @Test
  void anEmptyMapIsMapOf_andAMapOfMoreThanSixteenKeysALinkedHashMapInTheSameOrder() {
    assertSame(Map.of(), new CompactMap.Builder().build());
    CompactMap.Builder b = new CompactMap.Builder();
    List<String> keys = new ArrayList<>();
    for (int i = CompactMap.MAX_KEYS; i >= 0; i--) {
      b.put("k" + i, i);
      keys.add("k" + i);
    }
    Map<String, Object> large = b.build();
    assertFalse(large instanceof CompactMap);
    assertEquals(keys, new ArrayList<>(large.keySet()));
    assertThrows(UnsupportedOperationException.class, () -> large.put("x", 1));
    Map<String, Object> small = of("k", 1);
    assertTrue(small instanceof CompactMap);
    assertSame(small, CompactMap.copyOf(small));
  }

  @Test
  void copyOfKeepsAnyMapsOrderAndValues() {
    Map<String, Object> linked = new LinkedHashMap<>();
    linked.put("z", "last letter");
    linked.put("a", List.of(1L, 2L));
    linked.put("m", Map.of("inner", true));
    Map<String, Object> copy = CompactMap.copyOf(linked);
    assertEquals(linked, copy);
    assertEquals(List.of("z", "a", "m"), new ArrayList<>(copy.keySet()));
    linked.put("z", "changed");
    assertEquals("last letter", copy.get("z"));
  }

  @Test
  void refusesANullKey() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> new CompactMap.Builder().put(null, 1));
    assertEquals("a property's key is null", e.getMessage());
  }
}
