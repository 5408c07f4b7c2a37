package io.nudge.engine.facts;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One copy of each text that many journeys repeat (page paths, titles, campaign values, locales), so a
 * journey holds a reference instead of its own copy of each. Weakly held: a text no journey uses any
 * more is collected with the journeys, so an erased customer's texts do not outlive them here.
 */
final class SharedTexts {
  /** Longer texts are rarely repeated (a URL with its query string): kept as they are. */
  private static final int MAX_LENGTH = 256;
  private static final Map<String, WeakReference<String>> TEXTS = new WeakHashMap<>();

  private SharedTexts() {}

  /** The shared copy of {@code text}, which becomes the shared copy when there is none. */
  static String of(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      return text;
    }
    synchronized (TEXTS) {
      WeakReference<String> ref = TEXTS.get(text);
      String shared = ref == null ? null : ref.get();
      if (shared != null) {
        return shared;
      }
      TEXTS.put(text, new WeakReference<>(text));
      return text;
    }
  }
}
