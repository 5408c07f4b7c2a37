package io.nudge.server.privacy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The words the visitor reads in the preference centre and beside an engagement, per language: English
 * and French ship in the jar; a folder ({@code NUDGE_PRIVACY_TEXTS}) of {@code <language>.json} files
 * overrides any of them, or adds a language. A key a language lacks falls back to English.
 */
public final class PrivacyTexts {
  static final String SETTING = "NUDGE_PRIVACY_TEXTS";
  private static final List<String> SHIPPED = List.of("en", "fr");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
  private static final String FALLBACK = "en";

  private final Map<String, Map<String, String>> byLanguage;

  private PrivacyTexts(Map<String, Map<String, String>> byLanguage) {
    this.byLanguage = byLanguage;
  }

  /**
   * The shipped texts, with the overrides in {@code folder} (null for none) on top.
   *
   * @throws IllegalArgumentException naming the setting and the file when a file is not a JSON object of
   *     texts or its name is not a language code such as {@code de.json}
   */
  public static PrivacyTexts load(Path folder) {
    Map<String, Map<String, String>> texts = new TreeMap<>();
    for (String language : SHIPPED) {
      try (InputStream in = PrivacyTexts.class.getResourceAsStream("/privacy/texts/" + language + ".json")) {
        if (in == null) {
          throw new IllegalStateException("privacy/texts/" + language + ".json is missing from the class path");
        }
        texts.put(language, read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the shipped " + language
            + ".json"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (folder != null) {
      if (!Files.isDirectory(folder)) {
        throw new IllegalArgumentException(SETTING + " is " + folder + ", which is not a folder");
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.json")) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          String language = name.substring(0, name.length() - ".json".length()).toLowerCase(Locale.ROOT);
          if (!LANGUAGE.matcher(language).matches()) {
            throw new IllegalArgumentException(SETTING + " holds " + name
                + ", whose name is not a language code such as de.json");
          }
          Map<String, String> merged = new LinkedHashMap<>(texts.getOrDefault(language, Map.of()));
          merged.putAll(read(Files.readString(f), SETTING + " file " + f));
          texts.put(language, merged);
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(SETTING + " folder " + folder + " cannot be read: " + e.getMessage(), e);
      }
    }
    Map<String, String> english = texts.get(FALLBACK);
    Map<String, Map<String, String>> complete = new TreeMap<>();
    texts.forEach((language, own) -> {
      Map<String, String> all = new LinkedHashMap<>(english);
      all.putAll(own);
      complete.put(language, Collections.unmodifiableMap(all));
    });
    return new PrivacyTexts(Collections.unmodifiableMap(complete));
  }

  private static Map<String, String> read(String json, String what) {
    JsonObject object;
    try {
      object = new JsonObject(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(what + " is not a JSON object: " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : object.fieldNames()) {
      if (!(object.getValue(key) instanceof String s)) {
        throw new IllegalArgumentException(what + " has \"" + key + "\" that is not a text");
      }
      out.put(key, s);
    }
    return out;
  }

  /** The languages there are texts for, sorted. */
  public List<String> languages() {
    return new ArrayList<>(byLanguage.keySet());
  }

  /** Every text of {@code language}; English for a language there are none for. */
  public Map<String, String> of(String language) {
    return byLanguage.getOrDefault(language, byLanguage.get(FALLBACK));
  }

  /**
   * The language to answer in: the first of an {@code Accept-Language} header's languages (by weight)
   * there are texts for, else English.
   */
  public String choose(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.isBlank()) {
      return FALLBACK;
    }
    record Wanted(String language, double weight, int order) {}
    List<Wanted> wanted = new ArrayList<>();
    String[] parts = acceptLanguage.split(",");
    for (int i = 0; i < parts.length && i < 20; i++) {
      String[] fields = parts[i].trim().split(";");
      String language = fields[0].trim().toLowerCase(Locale.ROOT).split("-", 2)[0];
      double weight = 1;
      for (int k = 1; k < fields.length; k++) {
        String f = fields[k].trim();
        if (f.startsWith("q=")) {
          try {
            weight = Double.parseDouble(f.substring(2));
          } catch (NumberFormatException e) {
            weight = 0;
          }
        }
      }
      if (weight > 0 && byLanguage.containsKey(language)) {
        wanted.add(new Wanted(language, weight, i));
      }
    }
    return wanted.stream()
        .sorted((a, b) -> a.weight() != b.weight() ? Double.compare(b.weight(), a.weight())
            : Integer.compare(a.order(), b.order()))
        .map(Wanted::language).findFirst().orElse(FALLBACK);
  }

  /** The texts whose keys start with {@code prefix}, per language: what the browser SDK carries. */
  public JsonObject subset(String prefix) {
    JsonObject out = new JsonObject();
    byLanguage.forEach((language, texts) -> {
      JsonObject one = new JsonObject();
      texts.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          one.put(k, v);
        }
      });
      out.put(language, one);
    });
    return out;
  }
}
