package io.nudge.engine.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.nudge.engine.Decision;
import io.nudge.engine.Engagement;
import io.nudge.engine.NudgeException;
import io.nudge.engine.RulePack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the scenario files of a rule pack ({@code tests/*.yaml} in its folder, docs/rules.md#scenario-files)
 * against the real rule session and consent gate, and says which scenarios did not get the
 * engagements they expect.
 */
public final class ScenarioRunner {
  /** Where a rule pack keeps its scenario files, inside the rules folder. */
  public static final String TESTS = "tests";

  private ScenarioRunner() {}

  /**
   * Compiles the rules in {@code rulesDir} and runs every scenario in {@code rulesDir/tests}.
   *
   * @throws io.nudge.engine.RuleCompilationException when a rule file does not compile
   * @throws NudgeException when a folder cannot be read
   */
  public static Report run(Path rulesDir) {
    return run(RulePack.load(rulesDir), rulesDir);
  }

  /** Runs every scenario in {@code rulesDir/tests} against {@code pack}. */
  public static Report run(RulePack pack, Path rulesDir) {
    int scenarios = 0;
    List<Failure> failures = new ArrayList<>();
    for (Path file : files(rulesDir.resolve(TESTS))) {
      String shown = rulesDir.relativize(file).toString().replace('\\', '/');
      List<JsonNode> docs;
      try {
        docs = SpecReader.documents(Files.readString(file, StandardCharsets.UTF_8));
      } catch (BadScenario e) {
        failures.add(new Failure(shown, null, List.of("  error: " + e.getMessage())));
        continue;
      } catch (IOException e) {
        failures.add(new Failure(shown, null, List.of("  error: cannot read the file: " + e.getMessage())));
        continue;
      }
      for (int i = 0; i < docs.size(); i++) {
        scenarios++;
        String name = SpecReader.name(docs.get(i));
        try {
          Spec spec = SpecReader.read(docs.get(i));
          check(spec, Playback.play(pack, spec)).ifPresent(lines -> failures.add(new Failure(shown, spec.name(),
              lines)));
        } catch (NudgeException e) {
          failures.add(new Failure(shown, name != null ? name : "scenario " + (i + 1),
              List.of("  error: " + e.getMessage())));
        }
      }
    }
    return new Report(scenarios, failures);
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> {
        String name = p.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p);
      }).sorted().toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new NudgeException("cannot read scenario folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The report's lines for a scenario whose sent engagements are not the expected ones; empty when they are. */
  private static java.util.Optional<List<String>> check(Spec spec, Playback.Result result) {
    List<Engagement> sent = result.decisions().stream().filter(Decision::sent).map(Decision::engagement).toList();
    List<Engagement> unmatched = new ArrayList<>(sent);
    boolean ok = true;
    for (Spec.Expected e : spec.expect()) {
      Engagement hit = unmatched.stream().filter(a -> matches(e, a)).findFirst().orElse(null);
      ok &= hit != null;
      unmatched.remove(hit);
    }
    if (ok && unmatched.isEmpty()) {
      return java.util.Optional.empty();
    }
    List<String> lines = new ArrayList<>();
    lines.add("  expected:");
    spec.expect().forEach(e -> lines.add("    " + render(e)));
    if (spec.expect().isEmpty()) {
      lines.add("    none");
    }
    lines.add("  actual:");
    sent.forEach(a -> lines.add("    " + render(a)));
    if (sent.isEmpty()) {
      lines.add("    none");
    }
    result.decisions().stream().filter(d -> !d.sent()).forEach(d -> lines.add("    (" + d.outcome().id() + " by "
        + d.reason() + ") " + render(d.engagement())));
    lines.add("  rules fired: " + (result.fired().isEmpty() ? "none" : String.join(", ",
        result.fired().stream().map(f -> f.rule() + " at " + Times.format(f.at())).toList())));
    return java.util.Optional.of(lines);
  }

  private static boolean matches(Spec.Expected e, Engagement a) {
    return e.type().equals(a.type().id()) && e.rule().equals(a.rule())
        && (e.at() == null || e.at() == a.createdAt().toEpochMilli() - Playback.START)
        && e.fields().entrySet().stream().allMatch(f -> f.getValue().equals(a.fields().get(f.getKey())))
        && e.context().entrySet().stream().allMatch(c -> a.context().containsKey(c.getKey())
            && c.getValue().equals(String.valueOf(a.context().get(c.getKey()))));
  }

  private static String render(Spec.Expected e) {
    StringBuilder out = new StringBuilder(e.type()).append(' ').append(e.rule());
    if (e.at() != null) {
      out.append(" at ").append(Times.format(e.at()));
    }
    appendAll(out, e.fields());
    appendAll(out, e.context());
    return out.toString();
  }

  private static String render(Engagement a) {
    StringBuilder out = new StringBuilder(a.type().id()).append(' ').append(a.rule()).append(" at ")
        .append(Times.format(a.createdAt().toEpochMilli() - Playback.START));
    appendAll(out, a.fields());
    return out.toString();
  }

  private static void appendAll(StringBuilder out, Map<String, String> values) {
    values.forEach((k, v) -> out.append(' ').append(k).append('=')
        .append(v.matches("[^\\s\"=]+") ? v : "\"" + v.replace("\"", "\\\"") + "\""));
  }
}
