package io.nudge.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kie.internal.builder.KnowledgeBuilderError;

/**
 * Turns what Drools says about a file into a {@link RuleProblem} an analyst can act on, in the
 * terms of the file they wrote: the line of a {@code .dslr} sentence, the row of a decision table.
 */
final class RuleProblems {
  private static final Pattern LINE_COLUMN = Pattern.compile("[Ll]ine (\\d+):(\\d+)");
  private static final Pattern UNEXPANDED = Pattern.compile("^\\[(\\d+)\\] Unable to expand:\\s*(.*)$", Pattern.DOTALL);
  private static final Pattern NO_PATTERN =
      Pattern.compile("^\\[(\\d+)\\] No pattern was found to add the constraint to:\\s*(.*)$", Pattern.DOTALL);
  private static final Pattern TABLE_ROW = Pattern.compile("// rule values at ([A-Z]+)(\\d+)");
  private static final String SENTENCE = "matches no sentence of the vocabulary";

  private RuleProblems() {}

  /**
   * @param texts every file's text by name
   * @param generated the DRL each decision table was turned into, by the table's name
   */
  static RuleProblem of(KnowledgeBuilderError error, Map<String, String> texts, Map<String, String> generated) {
    String file = error.getResource() == null || error.getResource().getSourcePath() == null
        ? "" : error.getResource().getSourcePath();
    int[] lines = error.getLines();
    int line = lines != null && lines.length > 0 ? Math.max(0, lines[0]) : 0;
    String message = error.getMessage() == null ? "" : error.getMessage().trim();
    Matcher unexpanded = UNEXPANDED.matcher(message);
    if (unexpanded.matches()) {
      return sentenceProblem(file, texts, Integer.parseInt(unexpanded.group(1)),
          "\"" + unexpanded.group(2).trim() + "\" " + SENTENCE + " (.dsl)");
    }
    Matcher noPattern = NO_PATTERN.matcher(message);
    if (noPattern.matches()) {
      return sentenceProblem(file, texts, Integer.parseInt(noPattern.group(1)),
          "\"" + noPattern.group(2).trim() + "\" adds to the fact of the sentence before it, and there is none");
    }
    if (file.isEmpty() && message.startsWith("DSL")) {
      List<String> vocabularies = texts.keySet().stream().filter(n -> RuleFormat.of(n) == RuleFormat.DSL).toList();
      return new RuleProblem(vocabularies.size() == 1 ? vocabularies.get(0) : "", line, 0,
          message + ": each line of a vocabulary reads [when]sentence = condition or [then]sentence = action");
    }
    if (generated.containsKey(file)) {
      return tableProblem(file, generated.get(file), line, message);
    }
    int column = 0;
    Matcher m = LINE_COLUMN.matcher(message);
    if (m.find()) {
      if (line == 0) {
        line = Integer.parseInt(m.group(1));
      }
      column = Integer.parseInt(m.group(2)) + 1;
    }
    return new RuleProblem(file, line, column, message);
  }

  private static RuleProblem sentenceProblem(String file, Map<String, String> texts, int line, String message) {
    String[] lines = texts.getOrDefault(file, "").split("\n", -1);
    int column = 0;
    if (line >= 1 && line <= lines.length) {
      String text = lines[line - 1];
      column = text.length() - text.stripLeading().length() + 1;
    }
    return new RuleProblem(file, line, column, message);
  }

  /** Drools reports a line of the DRL it made of the table; the analyst needs the table's row. */
  static RuleProblem tableProblem(String file, String drl, int drlLine, String message) {
    String[] lines = drl.split("\n", -1);
    for (int i = Math.min(drlLine, lines.length) - 1; i >= 0; i--) {
      Matcher row = TABLE_ROW.matcher(lines[i]);
      if (row.find()) {
        String rule = i + 1 < lines.length ? lines[i + 1].trim() : "";
        return new RuleProblem(file, Integer.parseInt(row.group(2)), 0,
            "row " + row.group(2) + (rule.startsWith("rule ") ? " (" + rule + ")" : "") + ": " + message);
      }
    }
    return new RuleProblem(file, 0, 0, message);
  }

  /**
   * Leaves out what only repeats another problem: "Parser returned a null Package" after a syntax
   * error, and the parser's complaints about a {@code .dslr} line no sentence matched.
   */
  static List<RuleProblem> withoutEchoes(List<RuleProblem> problems) {
    List<RuleProblem> kept = new ArrayList<>(problems);
    if (kept.size() > 1) {
      kept.removeIf(p -> p.line() == 0 && p.message().contains("Parser returned a null Package"));
    }
    Set<String> unexpanded = new HashSet<>();
    for (RuleProblem p : kept) {
      if (p.message().contains(SENTENCE) || p.message().endsWith("and there is none")) {
        unexpanded.add(p.file());
      }
    }
    kept.removeIf(p -> unexpanded.contains(p.file()) && !p.message().contains(SENTENCE)
        && !p.message().endsWith("and there is none"));
    return kept;
  }
}
