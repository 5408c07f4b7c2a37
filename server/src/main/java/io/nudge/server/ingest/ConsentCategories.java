package io.nudge.server.ingest;

import io.nudge.engine.Checks;
import io.nudge.engine.Purpose;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps a site's consent category names, as a consent manager sends them in Segment's
 * {@code context.consent.categoryPreferences}, to the engine's {@link Purpose}s. Names are matched
 * without regard to case. Each purpose id ({@code analytics}, {@code personalization},
 * {@code proactive_chat}, {@code callback}) always names its own purpose unless the spec maps it
 * to something else.
 */
public final class ConsentCategories {

  /** The environment variable holding the spec. */
  public static final String ENV = "NUDGE_CONSENT_CATEGORIES";

  private static final String DEFAULT_SPEC = "Functional:personalization,Personalisation:personalization,"
      + "Analytics:analytics,Performance:analytics,Chat:proactive_chat+callback,Support:proactive_chat+callback";

  private static final ConsentCategories DEFAULTS = parse(DEFAULT_SPEC);

  private final Map<String, Set<Purpose>> purposesByCategory;

  private ConsentCategories(Map<String, Set<Purpose>> purposesByCategory) {
    this.purposesByCategory = purposesByCategory;
  }

  /**
   * Each purpose id, plus {@code Functional} and {@code Personalisation} for personalization,
   * {@code Analytics} and {@code Performance} for analytics, {@code Chat} and {@code Support} for
   * proactive_chat and callback.
   */
  public static ConsentCategories defaults() {
    return DEFAULTS;
  }

  /**
   * Reads a spec like {@code "Functional:personalization,Support:proactive_chat+callback"}: entries
   * separated by commas, each a category name, a colon, and one or more purpose ids joined by
   * {@code +}. The spec replaces the default category names; purpose ids still name themselves.
   * A blank spec maps the purpose ids only.
   *
   * @throws io.nudge.engine.InvalidInputException naming the bad entry and {@value #ENV}
   */
  public static ConsentCategories parse(String spec) {
    Map<String, Set<Purpose>> map = new LinkedHashMap<>();
    for (Purpose p : Purpose.values()) {
      map.put(p.id(), Set.of(p));
    }
    if (spec == null || spec.isBlank()) {
      return new ConsentCategories(Collections.unmodifiableMap(map));
    }
    Set<String> seen = new java.util.HashSet<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.trim();
      int colon = entry.lastIndexOf(':');
      Checks.checkArgument(colon > 0 && colon < entry.length() - 1,
          "%s entry \"%s\" is not Category:purpose[+purpose...]", ENV, entry);
      String category = entry.substring(0, colon).trim();
      String key = category.toLowerCase(Locale.ROOT);
      Checks.checkArgument(!category.isEmpty(), "%s entry \"%s\" has no category name", ENV, entry);
      Checks.checkArgument(seen.add(key), "%s names category \"%s\" twice", ENV, category);
      map.put(key, purposesOf(entry, entry.substring(colon + 1)));
    }
    return new ConsentCategories(Collections.unmodifiableMap(map));
  }

  private static Set<Purpose> purposesOf(String entry, String list) {
    Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
    for (String id : list.split("\\+", -1)) {
      String trimmed = id.trim();
      Purpose p = Purpose.fromId(trimmed).orElse(null);
      Checks.checkArgument(p != null, "%s entry \"%s\" names unknown purpose \"%s\"; purposes are %s",
          ENV, entry, trimmed, Arrays.stream(Purpose.values()).map(Purpose::id).collect(Collectors.joining(", ")));
      purposes.add(p);
    }
    return Collections.unmodifiableSet(purposes);
  }

  /** The purposes a category stands for; empty when the category is unknown. */
  public Set<Purpose> purposesOf(String category) {
    if (category == null) {
      return Set.of();
    }
    return purposesByCategory.getOrDefault(category.trim().toLowerCase(Locale.ROOT), Set.of());
  }

  /**
   * The choices that category preferences make. Unknown categories are ignored. When two categories
   * name the same purpose and disagree, denial wins: consent has to be unambiguous.
   */
  public Map<Purpose, Boolean> choicesOf(Map<String, Boolean> categoryPreferences) {
    Map<Purpose, Boolean> choices = new EnumMap<>(Purpose.class);
    categoryPreferences.forEach((category, granted) -> {
      if (granted == null) {
        return;
      }
      for (Purpose p : purposesOf(category)) {
        choices.merge(p, granted, Boolean::logicalAnd);
      }
    });
    return choices;
  }

  /** The mapping as a spec {@link #parse} reads back, for logs and the admin API. */
  @Override
  public String toString() {
    return purposesByCategory.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue().stream().map(Purpose::id).collect(Collectors.joining("+")))
        .collect(Collectors.joining(","));
  }
}
