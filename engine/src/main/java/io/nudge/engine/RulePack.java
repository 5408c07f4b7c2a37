package io.nudge.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.drools.kiesession.rulebase.KnowledgeBaseFactory;
import org.kie.api.KieBase;
import org.kie.api.KieBaseConfiguration;
import org.kie.api.KieServices;
import org.kie.api.conf.EventProcessingOption;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderError;

/**
 * A compiled set of rule files: the rule base every shard runs. Compiling is slow (hundreds of
 * milliseconds), so it happens once per pack, never per shard or per customer.
 */
public final class RulePack {
  /**
   * Drools' switch between building a rule's network in a running session at once (its default) or as
   * facts reach it. Nudge runs the latter: a rule deployed to sessions holding a million journeys and
   * their raw events is in place about twice as fast (docs/benchmarks.md, run L). Read once, when
   * Drools first adds a rule in the JVM; an operator's {@code -D} setting wins.
   */
  static final String EAGER_SEGMENTS = "drools.useEagerSegmentCreation";

  static {
    if (System.getProperty(EAGER_SEGMENTS) == null) {
      System.setProperty(EAGER_SEGMENTS, "false");
    }
  }

  private final Map<String, String> files;
  private final String version;
  private final KieBase kieBase;
  /** The compiled packages, from which each shard builds a rule base of its own. */
  private final Collection<KiePackage> packages;
  /** The change from the pack this one was compiled from ({@link #load(Path, RulePack)}), or null. */
  private Prepared prepared;

  /** A change worked out while compiling, for {@link #change} to hand out instead of compiling again. */
  private record Prepared(String fromVersion, Change change) {}

  private RulePack(Map<String, String> files, String version, KieBase kieBase, Collection<KiePackage> packages) {
    this.files = files;
    this.version = version;
    this.kieBase = kieBase;
    this.packages = packages;
  }

  /**
   * A rule base of its own for one session, built from the compiled packages (nothing compiles again):
   * a session on it can take a {@link Change} in place, on its own thread, without touching another's.
   */
  public KieBase newKieBase() {
    KieBase base = KnowledgeBaseFactory.newKnowledgeBase(streamMode());
    ((org.drools.core.impl.InternalRuleBase) base).addPackages(packages);
    return base;
  }

  private static KieBaseConfiguration streamMode() {
    KieBaseConfiguration conf = KieServices.get().newKieBaseConfiguration();
    conf.setOption(EventProcessingOption.STREAM);
    return conf;
  }

  /**
   * What changes from {@code from} to {@code to}, rule by rule, for a session to take in place: the
   * rules to remove (gone, or in a file that changed) and the packages of the changed files' rules to
   * add. Empty when the change cannot be made in place (a changed file that does not compile on its
   * own, one that declares types, functions or queries, a change in which facts the rules read), so
   * the caller moves its customers to a session of the new pack instead.
   */
  public static Optional<Change> change(RulePack from, RulePack to) {
    if (!keepsWhatSessionsHold(from, to)) {
      return Optional.empty(); // what the session keeps per customer changes
    }
    if (to.prepared != null && to.prepared.fromVersion().equals(from.version)) {
      return Optional.of(to.prepared.change());
    }
    Delta delta = delta(from, to.files, true);
    return delta == null ? Optional.empty() : Optional.of(new Change(delta.removed(), delta.added()));
  }

  /**
   * The files that changed from {@code from} to {@code to} compiled on their own, and the rules of
   * {@code from} that they and the files gone replace; null when that cannot be told file by file: a
   * changed file does not compile alone, declares types, functions or queries, a rule's name clashes
   * with one in another file, a rule of {@code from} has no file, or a DSL changed and {@code dsl} is
   * false (with {@code dsl}, every DSLR file compiles again).
   */
  private static Delta delta(RulePack from, Map<String, String> to, boolean dsl) {
    Set<String> changed = new TreeSet<>();
    for (Map.Entry<String, String> f : to.entrySet()) {
      if (!f.getValue().equals(from.files.get(f.getKey()))) {
        changed.add(f.getKey());
      }
    }
    Set<String> gone = new TreeSet<>(from.files.keySet());
    gone.removeAll(to.keySet());
    if (Stream.concat(changed.stream(), gone.stream()).anyMatch(n -> RuleFormat.of(n) == RuleFormat.DSL)) {
      if (!dsl) {
        return null;
      }
      to.keySet().stream().filter(n -> RuleFormat.of(n) == RuleFormat.DSLR).forEach(changed::add); // all read it
    }
    boolean dslr = changed.stream().anyMatch(n -> RuleFormat.of(n) == RuleFormat.DSLR);
    SortedMap<String, byte[]> compile = new TreeMap<>();
    for (Map.Entry<String, String> f : to.entrySet()) {
      RuleFormat format = RuleFormat.of(f.getKey());
      if (changed.contains(f.getKey()) || dslr && format == RuleFormat.DSL) {
        compile.put(f.getKey(), format == RuleFormat.XLSX
            ? Base64.getMimeDecoder().decode(f.getValue()) : f.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
    Map<String, String> generated = new TreeMap<>();
    Collection<KiePackage> added = List.of();
    Set<String> addedRules = new java.util.HashSet<>();
    if (compile.keySet().stream().anyMatch(n -> RuleFormat.of(n) != RuleFormat.DSL)) {
      List<RuleProblem> problems = new ArrayList<>();
      KnowledgeBuilder builder = RuleFormat.newBuilder(compile, generated, problems);
      if (builder.hasErrors() || !problems.isEmpty() || !onlyRules(builder.getKnowledgePackages())) {
        return null;
      }
      added = builder.getKnowledgePackages();
      for (KiePackage p : added) {
        for (Rule r : p.getRules()) {
          addedRules.add(p.getName() + '\u0000' + r.getName());
        }
      }
    }
    List<Rule> removed = new ArrayList<>();
    for (KiePackage p : from.kieBase.getKiePackages()) {
      for (Rule r : p.getRules()) {
        String source = sourceOf(r);
        if (source == null) {
          return null;
        }
        if (changed.contains(source) || gone.contains(source)) {
          removed.add(r);
        } else if (addedRules.contains(p.getName() + '\u0000' + r.getName())) {
          return null; // a rule of the same name in another file: the whole compile says where
        }
      }
    }
    return new Delta(changed, List.copyOf(removed), added, generated);
  }

  /** See {@link #delta}; {@code generated} is the DRL that DSLR files and decision tables compiled to. */
  private record Delta(Set<String> changed, List<Rule> removed, Collection<KiePackage> added,
      Map<String, String> generated) {}

  private static boolean keepsWhatSessionsHold(RulePack from, RulePack to) {
    return from.matches(io.nudge.engine.facts.Consent.class) == to.matches(io.nudge.engine.facts.Consent.class)
        && hasGlobal(from, "nudge") == hasGlobal(to, "nudge");
  }

  /** The rules to take out and the packages to put in: see {@link #change}. */
  public record Change(List<Rule> removed, Collection<KiePackage> added) {}

  private static String sourceOf(Rule r) {
    if (r instanceof org.drools.base.definitions.rule.impl.RuleImpl rule && rule.getResource() != null) {
      return rule.getResource().getSourcePath();
    }
    return null;
  }

  private static boolean onlyRules(Collection<KiePackage> packages) {
    for (KiePackage p : packages) {
      // Nudge's own fact classes show as types (their event roles); a type the rules declare does not
      boolean declares = p.getFactTypes().stream().anyMatch(t -> !t.getName().startsWith("io.nudge.engine.facts."));
      if (declares || !p.getFunctionNames().isEmpty() || !p.getQueries().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasGlobal(RulePack pack, String name) {
    return pack.kieBase.getKiePackages().stream()
        .anyMatch(p -> p.getGlobalVariables().stream().anyMatch(g -> g.getName().equals(name)));
  }

  /**
   * Compiles every rule file directly inside {@code dir} (not its sub-folders): {@code *.drl},
   * {@code *.dsl} with the {@code *.dslr} files written in it, and decision tables
   * {@code *.drl.csv} and {@code *.drl.xlsx}. Other files are ignored.
   *
   * @throws RuleCompilationException when a file does not compile
   * @throws NudgeException when the folder cannot be read
   */
  public static RulePack load(Path dir) {
    return load(dir, null);
  }

  /**
   * As {@link #load(Path)}, compiling only the files that changed since {@code running} where it can:
   * when the change is one of rules only, as {@link #change} takes in place, the changed files compile
   * on their own and the others' rules are taken from {@code running}, already compiled. Otherwise
   * (a DSL changed, a changed file declares types or functions or needs another file to compile, a
   * rule name clashes), the whole folder compiles. The pack, its checks and its problems are those of
   * a whole compile; only the time differs (a file against the whole pack).
   *
   * @param running the pack the engine runs; null compiles the whole folder
   */
  public static RulePack load(Path dir, RulePack running) {
    if (!Files.isDirectory(dir)) {
      throw new NudgeException("rules folder " + dir + " does not exist or is not a folder");
    }
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list.sorted()::iterator) {
        String name = p.getFileName().toString();
        if (RuleFormat.of(name) != null && Files.isRegularFile(p)) {
          files.put(name, Files.readAllBytes(p));
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new NudgeException("cannot read rules folder " + dir + ": " + e.getMessage(), e);
    }
    if (running != null) {
      RulePack quick = compileChanges(running, files);
      if (quick != null) {
        return quick;
      }
    }
    return compileBytes(files);
  }

  /**
   * The pack {@code files} make, from {@code from} and the changed files compiled on their own; null
   * when only a whole compile can tell (see {@link #load(Path, RulePack)}).
   *
   * @throws RuleCompilationException for what a whole compile refuses too: a rule without its texts, say
   */
  private static RulePack compileChanges(RulePack from, Map<String, byte[]> files) {
    SortedMap<String, String> sorted = asText(files);
    if (sorted.equals(from.files)) {
      return from;
    }
    Delta delta = delta(from, sorted, false);
    if (delta == null) {
      return null;
    }
    List<Rule> removed = delta.removed();
    Collection<KiePackage> added = delta.added();
    KieBase base = KnowledgeBaseFactory.newKnowledgeBase(streamMode());
    org.drools.core.impl.InternalRuleBase internal = (org.drools.core.impl.InternalRuleBase) base;
    internal.addPackages(from.packages);
    for (Rule r : removed) {
      internal.removeRule(r.getPackageName(), r.getName());
    }
    if (!added.isEmpty()) {
      internal.addPackages(added);
    }
    RulePack pack = new RulePack(Collections.unmodifiableSortedMap(sorted), versionOf(sorted), base,
        List.copyOf(base.getKiePackages()));
    if (pack.ruleNames().isEmpty()) {
      return null;
    }
    checkPriorities(pack, sorted);
    // the unchanged files passed these checks when the running pack compiled
    SortedMap<String, String> changedText = new TreeMap<>(sorted);
    changedText.keySet().retainAll(delta.changed());
    List<RuleProblem> refused = RuleLint.check(changedText, delta.generated());
    refused.addAll(RuleExplanations.check(base, changedText, delta.generated()));
    if (!refused.isEmpty()) {
      throw new RuleCompilationException(refused);
    }
    pack.prepared = new Prepared(from.version, new Change(removed, added));
    return pack;
  }

  private static SortedMap<String, String> asText(Map<String, byte[]> files) {
    SortedMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      sorted.put(f.getKey(), RuleFormat.of(f.getKey()) == RuleFormat.XLSX
          ? Base64.getEncoder().encodeToString(f.getValue())
          : new String(f.getValue(), StandardCharsets.UTF_8));
    }
    return sorted;
  }

  /**
   * Compiles the given files, named by file name. Text files are UTF-8; a {@code .drl.xlsx}
   * workbook is given in base64, as {@link #files()} returns it, so a pack can be compiled again
   * from its own files.
   *
   * @throws RuleCompilationException when a file does not compile or there is no rule at all
   */
  public static RulePack compile(Map<String, String> files) {
    Map<String, byte[]> bytes = new TreeMap<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      bytes.put(f.getKey(), RuleFormat.of(f.getKey()) == RuleFormat.XLSX
          ? decodeWorkbook(f.getKey(), f.getValue())
          : f.getValue().getBytes(StandardCharsets.UTF_8));
    }
    return compileBytes(bytes);
  }

  /**
   * Compiles the given files, named by file name, from their bytes: the way to hand over a
   * {@code .drl.xlsx} workbook. Which format a file is in follows from its name (see
   * {@link #load(Path)}); a file of any other name is compiled as DRL.
   *
   * @throws RuleCompilationException when a file does not compile or there is no rule at all
   */
  public static RulePack compileBytes(Map<String, byte[]> files) {
    SortedMap<String, String> sorted = asText(files);
    Map<String, String> generated = new TreeMap<>();
    List<RuleProblem> problems = new ArrayList<>();
    KnowledgeBuilder builder = RuleFormat.newBuilder(new TreeMap<>(files), generated, problems);
    if (builder.hasErrors() || !problems.isEmpty()) {
      for (KnowledgeBuilderError error : builder.getErrors()) {
        problems.add(RuleProblems.of(error, sorted, generated));
      }
      throw new RuleCompilationException(RuleProblems.withoutEchoes(problems));
    }
    KieBase base = KnowledgeBaseFactory.newKnowledgeBase(streamMode());
    Collection<KiePackage> compiled = builder.getKnowledgePackages();
    ((org.drools.core.impl.InternalRuleBase) base).addPackages(compiled);
    RulePack pack = new RulePack(Collections.unmodifiableSortedMap(sorted), versionOf(sorted), base, compiled);
    if (pack.ruleNames().isEmpty()) {
      throw new RuleCompilationException(List.of(new RuleProblem("", 0, 0, "the rule pack has no rule")));
    }
    checkPriorities(pack, sorted);
    List<RuleProblem> refused = RuleLint.check(sorted, generated);
    refused.addAll(RuleExplanations.check(pack.kieBase, sorted, generated));
    if (!refused.isEmpty()) {
      throw new RuleCompilationException(refused);
    }
    return pack;
  }

  /** {@code @priority} decides arbitration, so a value the gate cannot read is an error, not a silent 0. */
  private static void checkPriorities(RulePack pack, SortedMap<String, String> files) {
    List<RuleProblem> problems = new ArrayList<>();
    for (KiePackage p : pack.kieBase.getKiePackages()) {
      for (Rule r : p.getRules()) {
        Object priority = r.getMetaData().get("priority");
        if (priority != null && !(priority instanceof Number)
            && !priority.toString().replace("\"", "").trim().matches("-?\\d{1,9}")) {
          problems.add(priorityProblem(r.getName(), priority.toString(), files));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new RuleCompilationException(problems);
    }
  }

  private static byte[] decodeWorkbook(String name, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new RuleCompilationException(List.of(new RuleProblem(name, 0, 0,
          "a .drl.xlsx workbook given as text must be base64: " + e.getMessage())));
    }
  }

  private static RuleProblem priorityProblem(String rule, String value, SortedMap<String, String> files) {
    String message = "rule \"" + rule + "\" has @priority(" + value + "), which must be a whole number";
    for (Map.Entry<String, String> f : files.entrySet()) {
      String[] lines = f.getValue().split("\n", -1);
      int start = -1;
      for (int i = 0; i < lines.length; i++) {
        if (start < 0 && lines[i].contains("\"" + rule + "\"") && lines[i].trim().startsWith("rule")) {
          start = i;
        }
        if (start >= 0 && lines[i].contains("@priority")) {
          return new RuleProblem(f.getKey(), i + 1, lines[i].indexOf("@priority") + 1, message);
        }
      }
    }
    return new RuleProblem("", 0, 0, message);
  }

  private static String versionOf(Map<String, String> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> f : files.entrySet()) {
        sha.update(f.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(f.getValue().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** File name to content, sorted by name; a {@code .drl.xlsx} workbook in base64. */
  public Map<String, String> files() {
    return files;
  }

  /** A short hash of the files' names and contents. */
  public String version() {
    return version;
  }

  /** The names of all rules, sorted. */
  public List<String> ruleNames() {
    List<String> names = new ArrayList<>();
    for (KiePackage p : kieBase.getKiePackages()) {
      for (Rule r : p.getRules()) {
        names.add(r.getName());
      }
    }
    names.sort(null);
    return names;
  }

  /** The compiled Drools rule base; for the engine's sessions. */
  public KieBase kieBase() {
    return kieBase;
  }

  /**
   * Whether any rule matches facts of {@code factType} (or a subtype) in its conditions, anywhere:
   * under {@code not}, {@code exists}, {@code accumulate} or {@code from} too. The engine leaves out
   * the facts no rule of the pack reads (the consent fact, say), which costs memory per customer.
   */
  public boolean matches(Class<?> factType) {
    for (KiePackage p : kieBase.getKiePackages()) {
      for (Rule r : p.getRules()) {
        if (r instanceof org.drools.base.definitions.rule.impl.RuleImpl rule && matches(rule.getLhs(), factType)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matches(org.drools.base.rule.RuleConditionElement element, Class<?> factType) {
    if (element instanceof org.drools.base.rule.Pattern pattern
        && pattern.getObjectType() instanceof org.drools.base.base.ClassObjectType type
        && (factType.isAssignableFrom(type.getClassType()) || type.getClassType().isAssignableFrom(factType))) {
      return true;
    }
    for (org.drools.base.rule.RuleConditionElement nested : element.getNestedElements()) {
      if (matches(nested, factType)) {
        return true;
      }
    }
    return false;
  }
}
