package io.nudge.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;
import org.kie.api.KieBase;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;

/**
 * What a rule tells the customer it engages under "Why am I seeing this?": {@code @reason("...")}, why
 * it was offered, and {@code @dataUsed("...")}, what data it looked at, both written by the analyst
 * in plain words. Every rule that engages must have both, so no engagement reaches a customer
 * unexplained; a rule that only keeps facts may leave them out.
 *
 * <p>Which rules engage: in DRL and decision tables, those whose consequence calls {@code nudge};
 * in a {@code .dslr} file, every rule, since its actions are the vocabulary's engagement sentences.
 */
public final class RuleExplanations {
  /** The longest text either may hold: it is read in a small panel beside the engagement. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern DSLR_RULE = Pattern.compile("^[ \\t]*rule\\s+\"([^\"]+)\"", Pattern.MULTILINE);
  private static final Pattern ENGAGES = Pattern.compile("\\bnudge\\s*\\.");

  private RuleExplanations() {}

  /** The rule's {@code @reason}, unquoted; empty when it has none. */
  public static String reason(Rule rule) {
    return text(rule.getMetaData().get("reason"));
  }

  /** The rule's {@code @dataUsed}, unquoted; empty when it has none. */
  public static String dataUsed(Rule rule) {
    return text(rule.getMetaData().get("dataUsed"));
  }

  private static String text(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString().trim();
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1).trim();
    }
    return text;
  }

  /**
   * The engaging rules without both texts, or with one too long, each at the rule's line (a decision
   * table's row).
   */
  static List<RuleProblem> check(KieBase base, Map<String, String> files, Map<String, String> generated) {
    Map<String, RuleProblem> engaging = new HashMap<>(); // rule name -> where it is, message left blank
    for (Map.Entry<String, String> f : files.entrySet()) {
      if (f.getKey().endsWith(".drl")) {
        collectDrl(f.getKey(), f.getValue(), null, engaging);
      } else if (RuleFormat.of(f.getKey()) == RuleFormat.DSLR) {
        Matcher m = DSLR_RULE.matcher(f.getValue());
        while (m.find()) {
          int line = 1 + (int) f.getValue().substring(0, m.start()).chars().filter(c -> c == '\n').count();
          String text = f.getValue().substring(m.start(), m.end());
          engaging.put(m.group(1), new RuleProblem(f.getKey(), line, text.length() - text.stripLeading().length() + 1, ""));
        }
      }
    }
    for (Map.Entry<String, String> g : generated.entrySet()) {
      collectDrl(g.getKey(), g.getValue(), g.getValue(), engaging);
    }
    List<RuleProblem> problems = new ArrayList<>();
    for (KiePackage p : base.getKiePackages()) {
      for (Rule r : p.getRules()) {
        RuleProblem where = engaging.get(r.getName());
        if (where == null) {
          continue;
        }
        String missing = missing(r);
        if (missing != null) {
          problems.add(new RuleProblem(where.file(), where.line(), where.column(), (where.message().isEmpty()
              ? "" : where.message() + ": ") + "rule \"" + r.getName() + "\" " + missing));
        }
      }
    }
    problems.sort(java.util.Comparator.comparing(RuleProblem::file).thenComparingInt(RuleProblem::line));
    return problems;
  }

  private static String missing(Rule r) {
    String reason = reason(r);
    String dataUsed = dataUsed(r);
    if (reason.isEmpty()) {
      return "has no @reason: every rule that engages says why, in words the customer reads under \"Why am I "
          + "seeing this?\", for example @reason(\"You have spent a while on checkout with items in your cart\")";
    }
    if (dataUsed.isEmpty()) {
      return "has no @dataUsed: every rule that engages says what data it looked at, in words the customer "
          + "reads under \"Why am I seeing this?\", for example @dataUsed(\"the pages you viewed in this visit, "
          + "your cart\")";
    }
    if (reason.length() > MAX_LENGTH) {
      return "has a @reason of " + reason.length() + " characters, over the " + MAX_LENGTH + "-character limit";
    }
    if (dataUsed.length() > MAX_LENGTH) {
      return "has a @dataUsed of " + dataUsed.length() + " characters, over the " + MAX_LENGTH
          + "-character limit";
    }
    return null;
  }

  /**
   * Adds the rules of a DRL text that call {@code nudge}. {@code table} is the DRL a decision table was
   * turned into (null for a {@code .drl} file): its problems are placed at the table's row.
   */
  private static void collectDrl(String file, String drl, String table, Map<String, RuleProblem> engaging) {
    PackageDescr pkg;
    try {
      DrlParser parser = new DrlParser();
      pkg = parser.parse(false, drl);
      if (pkg == null || parser.hasErrors()) {
        return; // the compiler reports it
      }
    } catch (DroolsParserException | RuntimeException e) {
      return;
    }
    for (RuleDescr rule : pkg.getRules()) {
      Object consequence = rule.getConsequence();
      if (consequence == null || !ENGAGES.matcher(consequence.toString()).find()) {
        continue;
      }
      if (table == null) {
        engaging.put(rule.getName(), new RuleProblem(file, rule.getLine(), Math.max(1, rule.getColumn()), ""));
      } else {
        RuleProblem row = RuleProblems.tableProblem(file, table, rule.getLine(), "");
        engaging.put(rule.getName(), new RuleProblem(file, row.line(), 0, row.line() > 0 ? "row " + row.line() : ""));
      }
    }
  }
}
