package io.nudge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RulePackTest {
  private static final String HEADER = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;

      """;

  private static String rule(String name) {
    return """
        rule "%s" @reason("test reason") @dataUsed("test data")
        when
          CustomerEvent( name == "%s" )
        then
          nudge.chat("sales", "hello");
        end
        """.formatted(name, name);
  }

  @TempDir
  Path dir;

  @Test
  void compile_syntaxError_reportsFileLineAndOneBasedColumn() {
    String drl = HEADER + """
        rule "broken"
        when
          $e : CustomerEvent( name == )
        then
        end
        """;

    RuleCompilationException e =
        catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(Map.of("broken.drl", drl)));

    assertThat(e.problems()).first().isEqualTo(new RuleProblem("broken.drl", 7, 31,
        "[ERR 101] Line 7:30 no viable alternative at input ')' in rule \"broken\""));
    assertThat(e.getMessage())
        .startsWith("broken.drl:7:31: [ERR 101] Line 7:30 no viable alternative at input ')' in rule \"broken\"");
  }

  @Test
  void compile_missingParenthesis_reportsTheLineWhereParsingStopped() {
    String drl = HEADER + """
        rule "broken"
        when
          $e : CustomerEvent( name == "x"
        then
        end
        """;

    RuleCompilationException e =
        catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(Map.of("broken.drl", drl)));

    assertThat(e.problems()).first()
        .isEqualTo(new RuleProblem("broken.drl", 8, 1,
            "[ERR 102] Line 8:0 mismatched input 'then' in rule \"broken\""));
  }

  @Test
  void compile_errorInAConsequence_reportsTheRulesLineAndTheJavaMessage() {
    String drl = HEADER + """
        rule "typo" @reason("test reason") @dataUsed("test data")
        when
          CustomerEvent()
        then
          nudge.chatt("sales", "hello");
        end
        """;

    RuleCompilationException e =
        catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(Map.of("typo.drl", drl)));

    assertThat(e.problems()).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo("typo.drl");
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.column()).isZero();
      assertThat(p.message())
          .isEqualTo("Rule Compilation error The method chatt(String, String) is undefined for the type Actions");
    });
  }

  @Test
  void compile_errorInOneOfSeveralFiles_namesThatFile() {
    Map<String, String> files = Map.of(
        "a-good.drl", HEADER + rule("fine"),
        "b-bad.drl", HEADER + "rule \"bad\"\nwhen\n  CustomerEvent( name == )\nthen\nend\n");

    RuleCompilationException e =
        catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(files));

    assertThat(e.problems()).extracting(RuleProblem::file).containsOnly("b-bad.drl");
  }

  @Test
  void compile_unknownFactType_namesTheTypeAndItsLine() {
    String drl = HEADER + """
        rule "unknown"
        when
          Shopper( age > 30 )
        then
        end
        """;

    RuleCompilationException e =
        catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(Map.of("unknown.drl", drl)));

    assertThat(e.problems()).containsExactly(
        new RuleProblem("unknown.drl", 7, 0, "Unable to resolve ObjectType 'Shopper'"));
  }

  @Test
  void compile_noFile_isRefusedAsAPackWithoutRules() {
    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class, () -> RulePack.compile(Map.of()));

    assertThat(e.problems()).containsExactly(new RuleProblem("", 0, 0, "the rule pack has no rule"));
  }

  @Test
  void compile_filesWithoutAnyRule_isRefused() {
    assertThatThrownBy(() -> RulePack.compile(Map.of("empty.drl", HEADER)))
        .isInstanceOf(RuleCompilationException.class)
        .hasMessage(":0:0: the rule pack has no rule");
  }

  @Test
  void matches_findsAFactTypeInAnyCondition_nestedOrThroughASupertype() {
    RulePack plain = RulePack.compile(Map.of("a.drl", HEADER + rule("a")));
    RulePack direct = RulePack.compile(Map.of("a.drl", HEADER + """
        rule "direct" when Journey( $c : customerId ) Consent( customerId == $c, callback ) then end
        """));
    RulePack underNot = RulePack.compile(Map.of("a.drl", HEADER + """
        rule "under-not" when Journey( $c : customerId ) not ( exists Consent( customerId == $c ) ) then end
        """));
    RulePack inAccumulate = RulePack.compile(Map.of("a.drl", HEADER + """
        rule "in-accumulate" when
          $n : Number( intValue > 1 ) from accumulate( Consent( callback ), count(1) )
        then end
        """));
    RulePack bySupertype = RulePack.compile(Map.of("a.drl", HEADER + """
        rule "any-fact" when CustomerFact( customerId == "ann" ) then end
        """));

    assertThat(plain.matches(io.nudge.engine.facts.Consent.class)).isFalse();
    assertThat(plain.matches(io.nudge.engine.facts.CustomerEvent.class)).isTrue();
    assertThat(direct.matches(io.nudge.engine.facts.Consent.class)).isTrue();
    assertThat(underNot.matches(io.nudge.engine.facts.Consent.class)).isTrue();
    assertThat(inAccumulate.matches(io.nudge.engine.facts.Consent.class)).isTrue();
    assertThat(bySupertype.matches(io.nudge.engine.facts.Consent.class)).isTrue();
  }

  @Test
  void change_addedFile_addsOnlyItsRules_andRemovesNone() {
    RulePack before = RulePack.compile(Map.of("a.drl", HEADER + rule("a")));
    RulePack after = RulePack.compile(Map.of("a.drl", HEADER + rule("a"), "b.drl", HEADER + rule("b")));

    RulePack.Change change = RulePack.change(before, after).orElseThrow();

    assertThat(change.removed()).isEmpty();
    assertThat(change.added()).flatExtracting(p -> p.getRules()).extracting(r -> r.getName()).containsExactly("b");
  }

  @Test
  void change_changedFile_replacesItsRules_removedFile_removesItsRules() {
    RulePack before = RulePack.compile(Map.of("a.drl", HEADER + rule("a"), "b.drl", HEADER + rule("b"),
        "c.drl", HEADER + rule("c")));
    RulePack after = RulePack.compile(Map.of("a.drl", HEADER + rule("a"), "b.drl", HEADER + rule("b")
        + rule("b2")));

    RulePack.Change change = RulePack.change(before, after).orElseThrow();

    assertThat(change.removed()).extracting(r -> r.getName()).containsExactlyInAnyOrder("b", "c");
    assertThat(change.added()).flatExtracting(p -> p.getRules()).extracting(r -> r.getName())
        .containsExactlyInAnyOrder("b", "b2");
  }

  @Test
  void change_aFileDeclaringAType_cannotBeMadeInPlace() {
    RulePack before = RulePack.compile(Map.of("a.drl", HEADER + rule("a")));
    RulePack after = RulePack.compile(Map.of("a.drl", HEADER + rule("a"),
        "b.drl", HEADER + "declare Visit\n  page : String\nend\n" + rule("b")));

    assertThat(RulePack.change(before, after)).isEmpty();
  }

  @Test
  void load_fromTheRunningPack_compilesOnlyTheChangedFiles_intoThePackAWholeCompileMakes() throws IOException {
    Files.writeString(dir.resolve("a.drl"), HEADER + rule("a"));
    Files.writeString(dir.resolve("b.drl"), HEADER + rule("b"));
    Files.writeString(dir.resolve("c.drl"), HEADER + rule("c"));
    RulePack running = RulePack.load(dir);
    Files.writeString(dir.resolve("b.drl"), HEADER + rule("b") + rule("b2"));
    Files.delete(dir.resolve("c.drl"));
    Files.writeString(dir.resolve("d.drl"), HEADER + rule("d"));

    RulePack quick = RulePack.load(dir, running);
    RulePack whole = RulePack.load(dir);

    assertThat(quick.version()).isEqualTo(whole.version());
    assertThat(quick.files()).isEqualTo(whole.files());
    assertThat(quick.ruleNames()).isEqualTo(whole.ruleNames()).containsExactly("a", "b", "b2", "d");
    RulePack.Change change = RulePack.change(running, quick).orElseThrow();
    assertThat(RulePack.change(running, quick).orElseThrow()).as("worked out once, while compiling").isSameAs(change);
    assertThat(change.removed()).extracting(r -> r.getName()).containsExactlyInAnyOrder("b", "c");
    assertThat(change.added()).flatExtracting(p -> p.getRules()).extracting(r -> r.getName())
        .containsExactlyInAnyOrder("b", "b2", "d");
    assertThat(running.ruleNames()).as("the running pack is left as it was").containsExactly("a", "b", "c");
  }

  @Test
  void load_fromTheRunningPack_aFileThatNeedsAnotherToCompile_compilesTheWholePack() throws IOException {
    Files.writeString(dir.resolve("a.drl"), HEADER + "function String greet() { return \"hi\"; }\n" + rule("a"));
    Files.writeString(dir.resolve("b.drl"), HEADER + rule("b"));
    RulePack running = RulePack.load(dir);
    Files.writeString(dir.resolve("b.drl"), HEADER + rule("b").replace("\"hello\"", "greet()"));

    RulePack quick = RulePack.load(dir, running);

    assertThat(quick.version()).isEqualTo(RulePack.load(dir).version());
    assertThat(quick.ruleNames()).containsExactly("a", "b");
    assertThat(RulePack.change(running, quick)).as("b.drl does not compile on its own").isEmpty();
  }

  @Test
  void load_fromTheRunningPack_aProblemInTheChangedFile_isReportedAsAWholeCompileReportsIt() throws IOException {
    Files.writeString(dir.resolve("a.drl"), HEADER + rule("a"));
    RulePack running = RulePack.load(dir);
    Files.writeString(dir.resolve("b.drl"), HEADER + rule("b").replace(" @reason(\"test reason\")", ""));
    Files.writeString(dir.resolve("c.drl"), HEADER + rule("a")); // a name a.drl has
    Files.writeString(dir.resolve("d.drl"), HEADER + rule("d").replace("CustomerEvent(", "CustomerEvent(("));

    for (String left : List.of("d.drl", "c.drl", "b.drl")) {
      RuleCompilationException whole = catchThrowableOfType(RuleCompilationException.class, () -> RulePack.load(dir));
      RuleCompilationException quick = catchThrowableOfType(RuleCompilationException.class,
          () -> RulePack.load(dir, running));
      assertThat(whole).as("a whole compile with %s", left).isNotNull();
      assertThat(quick).as("from the running pack with %s", left).isNotNull();
      assertThat(quick.problems()).as("with %s", left).isEqualTo(whole.problems());
      Files.delete(dir.resolve(left));
    }
  }

  @Test
  void drools_buildsANewRulesNetworkAsFactsReachIt_notAllAtOnce() {
    RulePack.compile(Map.of("a.drl", HEADER + rule("a")));

    assertThat(System.getProperty(RulePack.EAGER_SEGMENTS)).isEqualTo("false");
    assertThat(org.drools.core.phreak.PhreakBuilder.isEagerSegmentCreation()).isFalse();
  }

  @Test
  void ruleNames_areSortedAcrossFiles() {
    RulePack pack = RulePack.compile(Map.of(
        "one.drl", HEADER + rule("zebra") + rule("apple"),
        "two.drl", HEADER + rule("mango")));

    assertThat(pack.ruleNames()).containsExactly("apple", "mango", "zebra");
  }

  @Test
  void files_areKeptSortedByName() {
    // eight names whose hashes no Map.copyOf salt happens to iterate in sorted order
    List<String> names = List.of("abandoned-cart", "cancel-intent", "checkout-hesitation", "form-struggle",
        "pricing-page", "search-fail", "welcome-back", "zz-late");
    Map<String, String> files = new HashMap<>();
    for (String name : names) {
      files.put(name + ".drl", HEADER + rule(name));
    }

    RulePack pack = RulePack.compile(files);

    assertThat(pack.files().keySet()).containsExactlyElementsOf(names.stream().map(n -> n + ".drl").toList());
  }

  @Test
  void files_holdEveryFileByName() {
    RulePack pack = RulePack.compile(Map.of("z.drl", HEADER + rule("z"), "a.drl", HEADER + rule("a")));

    assertThat(pack.files()).isEqualTo(Map.of("z.drl", HEADER + rule("z"), "a.drl", HEADER + rule("a")));
  }

  @Test
  void version_isStableForTheSameFilesAndChangesWithContentOrName() {
    String drl = HEADER + rule("greet");

    String version = RulePack.compile(Map.of("greet.drl", drl)).version();

    assertThat(version).matches("[0-9a-f]{12}");
    assertThat(RulePack.compile(Map.of("greet.drl", drl)).version()).isEqualTo(version);
    assertThat(RulePack.compile(Map.of("greet.drl", drl + "\n// changed\n")).version()).isNotEqualTo(version);
    assertThat(RulePack.compile(Map.of("hello.drl", drl)).version()).isNotEqualTo(version);
  }

  @Test
  void load_missingFolder_saysItDoesNotExist() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> RulePack.load(missing))
        .isExactlyInstanceOf(NudgeException.class)
        .hasMessage("rules folder " + missing + " does not exist or is not a folder");
  }

  @Test
  void load_fileInsteadOfFolder_saysItIsNotAFolder() throws IOException {
    Path file = Files.writeString(dir.resolve("rules.drl"), HEADER + rule("x"));

    assertThatThrownBy(() -> RulePack.load(file))
        .isExactlyInstanceOf(NudgeException.class)
        .hasMessage("rules folder " + file + " does not exist or is not a folder");
  }

  @Test
  void load_takesOnlyDrlFilesDirectlyInTheFolder() throws IOException {
    Files.writeString(dir.resolve("greet.drl"), HEADER + rule("greet"));
    Files.writeString(dir.resolve("README.md"), "# not a rule, and not valid DRL either (");
    Files.writeString(dir.resolve("greet.drl.bak"), "rule broken");
    Files.createDirectories(dir.resolve("old"));
    Files.writeString(dir.resolve("old/broken.drl"), "rule \"broken\" when (");
    Files.createDirectories(dir.resolve("folder.drl"));

    RulePack pack = RulePack.load(dir);

    assertThat(pack.files().keySet()).containsExactly("greet.drl");
    assertThat(pack.ruleNames()).containsExactly("greet");
  }

  @Test
  void load_versionChangesWhenAFileChangesAndIsStableOtherwise() throws IOException {
    Files.writeString(dir.resolve("greet.drl"), HEADER + rule("greet"));
    String first = RulePack.load(dir).version();

    assertThat(RulePack.load(dir).version()).isEqualTo(first);

    Files.writeString(dir.resolve("greet.drl"), HEADER + rule("greet") + rule("wave"));

    assertThat(RulePack.load(dir).version()).isNotEqualTo(first);
  }

  @Test
  void load_andCompile_ofTheSameFiles_haveTheSameVersion() throws IOException {
    Files.writeString(dir.resolve("greet.drl"), HEADER + rule("greet"));

    assertThat(RulePack.load(dir).version())
        .isEqualTo(RulePack.compile(Map.of("greet.drl", HEADER + rule("greet"))).version());
  }

  @Test
  void load_brokenFile_reportsItsFileName() throws IOException {
    Files.writeString(dir.resolve("broken.drl"), HEADER + "rule \"b\"\nwhen\n  Shopper()\nthen\nend\n");

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class, () -> RulePack.load(dir));

    assertThat(e.problems())
        .containsExactly(new RuleProblem("broken.drl", 7, 0, "Unable to resolve ObjectType 'Shopper'"));
  }

  private static final String DSL = "[when]A customer is browsing = $j : Journey( $c : customerId )\n"
      + "[then]show a tip \"{title}\" saying \"{body}\" = nudge.tip(\"{title}\", \"{body}\");\n";

  @Test
  void compile_dslrSentenceMatchingNoDslEntry_reportsTheSentenceWithLineAndColumn() {
    String dslr = HEADER + "expander nudge.dsl;\nrule \"moon\"\nwhen\n  A customer is on the moon\nthen\n"
        + "  show a tip \"Hi\" saying \"there\"\nend\n";
    int line = (int) (HEADER + "expander nudge.dsl;\nrule \"moon\"\nwhen\n").lines().count() + 1;

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("nudge.dsl", DSL, "moon.dslr", dslr)));

    assertThat(e.problems()).containsExactly(new RuleProblem("moon.dslr", line, 3,
        "\"A customer is on the moon\" matches no sentence of the vocabulary (.dsl)"));
  }

  @Test
  void compile_dslr_expandsSentencesIntoRules() {
    String dslr = HEADER + "expander nudge.dsl;\nrule \"hello\" @reason(\"r\") @dataUsed(\"d\")\nwhen\n  A customer is browsing\nthen\n"
        + "  show a tip \"Hi\" saying \"there\"\nend\n";

    assertThat(RulePack.compile(Map.of("nudge.dsl", DSL, "hello.dslr", dslr)).ruleNames()).containsExactly("hello");
  }

  private static final String TABLE = "RuleSet,nudge.rules\nImport,io.nudge.engine.facts.*\n"
      + "Variables,io.nudge.engine.facts.Actions nudge\n,\nRuleTable t,,\nNAME,CONDITION,ACTION,METADATA,METADATA\n"
      + ",$j : Journey,,,\n,\"currentPath == \"\"$param\"\"\",\"%s\",\"reason(\"\"$param\"\")\",\"dataUsed(\"\"$param\"\")\"\n"
      + "rule,path,title,why,data used\nat-cart,/cart,Cart,You are on the cart,your cart\n";

  @Test
  void compile_decisionTable_makesOneRulePerRow() {
    String csv = TABLE.formatted("nudge.tip(\"\"$param\"\", \"\"b\"\");");

    assertThat(RulePack.compile(Map.of("t.drl.csv", csv)).ruleNames()).containsExactly("at-cart");
  }

  @Test
  void compile_decisionTableWithBadCell_reportsTheRow() {
    String csv = TABLE.formatted("nudge.tipp(\"\"$param\"\", \"\"b\"\");");

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("bad.drl.csv", csv)));

    assertThat(e.problems()).containsExactly(new RuleProblem("bad.drl.csv", 10, 0,
        "row 10 (rule \"at-cart\"): Rule Compilation error The method tipp(String, String) is undefined for the type "
        + "Actions"));
  }
}
