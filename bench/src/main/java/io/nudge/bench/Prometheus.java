package io.nudge.bench;

import java.util.HashMap;
import java.util.Map;

/** Reads Prometheus' text format: each sample line by its name and labels. */
final class Prometheus {
  private Prometheus() {}

  static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      try {
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        // not a sample line
      }
    }
    return samples;
  }

  /** The sum of every sample whose name and labels start with {@code prefix}. */
  static double sum(Map<String, Double> samples, String prefix) {
    return samples.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue).sum();
  }
}
