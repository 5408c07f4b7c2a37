package io.nudge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile or careless rule files are refused before they are deployed, with file, line and reason. */
final class RuleLintTest {
  private static final String HEADER = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;
      """;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "System.exit(1);|uses System (System.)",
      "Runtime.getRuntime().exec(\"rm -rf /\");|starts processes (Runtime)",
      "new Thread(() -> {}).start();|starts threads (Thread)",
      "java.nio.file.Files.delete(java.nio.file.Path.of(\"/etc/passwd\"));|touches files (java.nio)",
      "new java.net.Socket(\"evil.example\", 80);|uses the network (java.net)",
      "Class.forName(\"java.lang.Runtime\");|uses reflection (Class.forName)",
      "$j.getClass().getDeclaredFields();|uses reflection (.getClass()",
      "ClassLoader.getSystemClassLoader();|loads classes (ClassLoader)",
      "kcontext.getKieRuntime().halt();|reaches into the rule engine (kcontext)"})
  void hostileConsequence_refusedNamingRuleLineAndWhat(String code, String what) {
    String drl = HEADER + """
        rule "hostile"
        when
          $j : Journey( currentPath == "/x" )
        then
          %s
        end
        """.formatted(code);

    assertThatThrownBy(() -> RulePack.compile(Map.of("hostile.drl", drl)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).first()
            .satisfies(p -> {
              assertThat(p.file()).isEqualTo("hostile.drl");
              assertThat(p.line()).isEqualTo(8);
              assertThat(p.message()).startsWith("rule \"hostile\" " + what);
              assertThat(p.message()).endsWith("which rules may not: a consequence may only ask for engagements "
                  + "through nudge and work on the journey facts");
            }));
  }

  @Test
  void forbiddenWordsInsideStrings_areFine() {
    String drl = HEADER + """
        rule "friendly" @reason("test reason") @dataUsed("test data")
        when
          Journey( $c : customerId, currentPath == "/x" )
        then
          nudge.tip("System status", "Open a Thread on our forum, or visit the URL in your File menu.");
        end
        """;

    assertThat(RulePack.compile(Map.of("friendly.drl", drl)).ruleNames()).containsExactly("friendly");
  }

  @Test
  void importOutsideTheFactsAndValueTypes_refused() {
    String drl = HEADER.replace("import io.nudge.engine.facts.*;",
        "import io.nudge.engine.facts.*;\nimport java.io.File;") + """
        rule "r" @reason("test reason") @dataUsed("test data") when Journey( currentPath == "/x" ) then nudge.tip("a", "b"); end
        """;

    assertThatThrownBy(() -> RulePack.compile(Map.of("imports.drl", drl)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).first()
            .hasToString("imports.drl:3:1: import java.io.File is not allowed: rules may import "
                + "io.nudge.engine.facts.*, java.util.*, java.time.* and java.lang.Math"));
  }

  @Test
  void functionBody_isCheckedToo() {
    String drl = HEADER + """
        function void leak() { System.out.println("hi"); }
        rule "r" when Journey( currentPath == "/x" ) then leak(); end
        """;

    assertThatThrownBy(() -> RulePack.compile(Map.of("fn.drl", drl)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).first()
            .satisfies(p -> assertThat(p.message()).startsWith("function \"leak\" uses System (System.)")));
  }

  @Test
  void twoCustomerFactsNotJoinedOnTheCustomer_refused() {
    String drl = HEADER + """
        rule "cross-customer" @reason("test reason") @dataUsed("test data")
        when
          Journey( $c : customerId, currentPath == "/checkout" )
          CustomerEvent( name == "Help" )
        then
          nudge.tip("a", "b");
        end
        """;

    assertThatThrownBy(() -> RulePack.compile(Map.of("cross.drl", drl)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(p -> {
              assertThat(p.line()).isEqualTo(7);
              assertThat(p.message()).isEqualTo("rule \"cross-customer\" has a CustomerEvent pattern not tied to "
                  + "one customer: bind the customer once ($c : customerId) and add customerId == $c to every "
                  + "other pattern");
            }));
  }

  @Test
  void rawDrlInADslrFile_isCheckedForForbiddenCallsToo() {
    String dsl = "[when]the customer is anywhere=Journey( $c : customerId )\n"
        + "[then]say hello=nudge.tip(\"Hello\", \"there\");\n";
    String dslr = HEADER + """
        expander hostile.dsl
        rule "sneaky"
        when
          the customer is anywhere
        then
          say hello
          > System.exit(1);
        end
        """;

    assertThatThrownBy(() -> RulePack.compile(Map.of("hostile.dsl", dsl, "hostile.dslr", dslr)))
        .isInstanceOfSatisfying(RuleCompilationException.class, e -> assertThat(e.problems()).first()
            .satisfies(p -> assertThat(p.toString()).startsWith("hostile.dslr:10:5: file uses System (System.)")));
  }

  @Test
  void defaultRulePack_passesTheLint() {
    RulePack pack = RulePack.load(Path.of(System.getProperty("nudge.rules.dir", "../rules")));

    assertThat(pack.ruleNames()).contains("checkout-hesitation", "form-struggle", "cancel-intent");
  }
}
