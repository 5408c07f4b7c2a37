package io.nudge.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.drools.drl.ast.descr.AccumulateDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.FunctionDescr;
import org.drools.drl.ast.descr.ImportDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;

/**
 * What a rule file may not do, checked before it is deployed: reach outside the engine (System,
 * threads, files, network, reflection, class loading), import anything but the journey facts and
 * plain Java value types, or join facts of two customers. A refused file is a compile error with
 * file, line and column, like a syntax error.
 */
final class RuleLint {
  private record Forbidden(Pattern pattern, String what) {}

  private static final List<Forbidden> FORBIDDEN = List.of(
      new Forbidden(Pattern.compile("\\bSystem\\s*\\."), "uses System"),
      new Forbidden(Pattern.compile("\\b(Runtime|ProcessBuilder|Process)\\b"), "starts processes"),
      new Forbidden(Pattern.compile("\\b(Thread|Executors?|ExecutorService|CompletableFuture|ForkJoinPool|Timer)\\b"),
          "starts threads"),
      new Forbidden(Pattern.compile("\\b(java\\.io|java\\.nio|Files|File|Paths|FileInputStream|FileOutputStream|"
          + "FileReader|FileWriter|RandomAccessFile)\\b"), "touches files"),
      new Forbidden(Pattern.compile("\\b(java\\.net|Socket|ServerSocket|URL|URLConnection|HttpClient|"
          + "InetAddress)\\b"), "uses the network"),
      new Forbidden(Pattern.compile("\\bClass\\s*\\.\\s*forName\\b|\\.getClass\\s*\\(|\\bjava\\.lang\\.reflect\\b|"
          + "\\bgetDeclared\\w*\\s*\\(|\\bsetAccessible\\b|\\bMethodHandles?\\b|\\bUnsafe\\b"), "uses reflection"),
      new Forbidden(Pattern.compile("\\b(ClassLoader|defineClass|ServiceLoader)\\b"), "loads classes"),
      new Forbidden(Pattern.compile("\\b(kcontext|getKieRuntime|getKieBase|getKieSession)\\b"),
          "reaches into the rule engine"));

  private static final List<String> ALLOWED_IMPORTS = List.of("io.nudge.engine.facts.", "java.util.",
      "java.time.", "java.lang.Math");
  private static final Set<String> CUSTOMER_FACTS = Set.of("Journey", "CustomerEvent", "Offer", "Interaction",
      "EngagementOutcome", "Consent");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  private RuleLint() {}

  /** The problems of the {@code .drl} files among {@code files}; empty when all may be deployed. */
  static List<RuleProblem> check(Map<String, String> files) {
    return check(files, Map.of());
  }

  /**
   * The problems of the rule files: {@code .drl} files and the DRL {@code generated} from decision
   * tables fully; {@code .dslr} files, whose sentences expand to vetted DRL but may hold raw DRL lines,
   * for forbidden calls anywhere outside strings.
   */
  static List<RuleProblem> check(Map<String, String> files, Map<String, String> generated) {
    List<RuleProblem> problems = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      if (f.getKey().endsWith(".drl")) {
        check(f.getKey(), f.getValue(), problems);
      } else if (f.getKey().endsWith(".dslr")) {
        String blanked = STRING.matcher(f.getValue()).replaceAll(m -> "\"" + " ".repeat(m.group().length() - 2) + "\"");
        scan(f.getKey(), "file", blanked, 0, blanked.length(), problems);
      }
    }
    for (Map.Entry<String, String> g : generated.entrySet()) {
      check(g.getKey(), g.getValue(), problems);
    }
    return problems;
  }

  private static void check(String file, String text, List<RuleProblem> problems) {
    PackageDescr pkg;
    try {
      DrlParser parser = new DrlParser();
      pkg = parser.parse(false, text);
      if (pkg == null || parser.hasErrors()) {
        return; // the compiler reports syntax errors with their positions
      }
    } catch (DroolsParserException | RuntimeException e) {
      return;
    }
    for (ImportDescr i : pkg.getImports()) {
      String target = i.getTarget();
      if (ALLOWED_IMPORTS.stream().noneMatch(target::startsWith) && !target.startsWith("io.nudge.engine.facts")) {
        problems.add(new RuleProblem(file, i.getLine(), Math.max(1, i.getColumn()), "import " + target
            + " is not allowed: rules may import io.nudge.engine.facts.*, java.util.*, java.time.* and "
            + "java.lang.Math"));
      }
    }
    String blanked = STRING.matcher(text).replaceAll(m -> "\"" + " ".repeat(m.group().length() - 2) + "\"");
    for (FunctionDescr fn : pkg.getFunctions()) {
      scan(file, "function \"" + fn.getName() + "\"", blanked, fn.getStartCharacter(), fn.getEndCharacter(),
          problems);
    }
    for (RuleDescr rule : pkg.getRules()) {
      if (rule.getConsequence() != null) {
        int from = rule.getConsequenceOffset() > 0 ? rule.getConsequenceOffset() : rule.getStartCharacter();
        scan(file, "rule \"" + rule.getName() + "\"", blanked, from, rule.getEndCharacter(), problems);
      }
      checkOneCustomer(file, rule, problems);
    }
  }

  /** Looks for forbidden calls in {@code blanked[from, to)}: the file with its string literals blanked. */
  private static void scan(String file, String owner, String blanked, int from, int to, List<RuleProblem> problems) {
    int start = Math.max(0, from);
    int end = to > start && to <= blanked.length() ? to : blanked.length();
    for (Forbidden f : FORBIDDEN) {
      Matcher m = f.pattern().matcher(blanked).region(start, end);
      if (m.find()) {
        int line = 1 + (int) blanked.substring(0, m.start()).chars().filter(c -> c == '\n').count();
        int lineStart = blanked.lastIndexOf('\n', m.start() - 1) + 1;
        problems.add(new RuleProblem(file, line, m.start() - lineStart + 1, owner + " " + f.what() + " ("
            + m.group().trim() + "), which rules may not: a consequence may only ask for engagements through "
            + "nudge and work on the journey facts"));
      }
    }
  }

  /** With two or more customer facts, each must name its customer, so no match can join two customers. */
  private static void checkOneCustomer(String file, RuleDescr rule, List<RuleProblem> problems) {
    List<PatternDescr> patterns = new ArrayList<>();
    collect(rule.getLhs(), patterns);
    if (patterns.size() < 2) {
      return;
    }
    for (PatternDescr p : patterns) {
      boolean tied = false;
      if (p.getConstraint() != null) {
        for (BaseDescr c : p.getConstraint().getDescrs()) {
          tied |= c.getText() != null && c.getText().contains("customerId");
        }
      }
      if (!tied) {
        problems.add(new RuleProblem(file, p.getLine(), Math.max(1, p.getColumn()), "rule \"" + rule.getName()
            + "\" has a " + p.getObjectType() + " pattern not tied to one customer: bind the customer once "
            + "($c : customerId) and add customerId == $c to every other pattern"));
      }
    }
  }

  private static void collect(BaseDescr d, List<PatternDescr> out) {
    if (d instanceof PatternDescr p) {
      if (CUSTOMER_FACTS.contains(p.getObjectType())) {
        out.add(p);
      }
      if (p.getSource() instanceof AccumulateDescr a) {
        collect(a.getInput(), out);
      }
    } else if (d instanceof ConditionalElementDescr ce) {
      for (BaseDescr child : ce.getDescrs()) {
        collect(child, out);
      }
    }
  }
}
