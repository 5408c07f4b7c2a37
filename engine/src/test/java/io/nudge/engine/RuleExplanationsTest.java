package io.nudge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kie.api.definition.rule.Rule;

/** Every rule that engages says why and with what data, in the words the customer reads. */
final class RuleExplanationsTest {
  private static final String HEADER = """
      package nudge.test;
      import io.nudge.engine.facts.*;
      global io.nudge.engine.facts.Actions nudge;
      """;

  private static final String DSL = "[when]A customer is browsing = $j : Journey( $c : customerId )\n"
      + "[then]show a tip \"{title}\" saying \"{body}\" = nudge.tip(\"{title}\", \"{body}\");\n";

  @Test
  void drlRuleThatEngagesWithoutReason_isRefusedAtItsLine() {
    String drl = HEADER + """

        rule "silent"
          @dataUsed("your cart")
        when
          Journey( currentPath == "/cart" )
        then
          nudge.tip("Cart", "Free delivery from 50");
        end
        """;

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("silent.drl", drl)));

    assertThat(e.problems()).hasSize(1);
    RuleProblem p = e.problems().get(0);
    assertThat(p.file()).isEqualTo("silent.drl");
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.message()).startsWith("rule \"silent\" has no @reason: every rule that engages says why")
        .contains("@reason(\"You have spent a while on checkout with items in your cart\")");
  }

  @Test
  void drlRuleThatEngagesWithoutDataUsed_isRefusedNamingTheAnnotation() {
    String drl = HEADER + """
        rule "vague" @reason("You are on the cart page")
        when
          Journey( currentPath == "/cart" )
        then
          nudge.tip("Cart", "Free delivery from 50");
        end
        """;

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("vague.drl", drl)));

    assertThat(e.problems()).extracting(RuleProblem::toString).containsExactly("vague.drl:4:1: rule \"vague\" has "
        + "no @dataUsed: every rule that engages says what data it looked at, in words the customer reads under "
        + "\"Why am I seeing this?\", for example @dataUsed(\"the pages you viewed in this visit, your cart\")");
  }

  @Test
  void ruleThatOnlyKeepsFacts_needsNoExplanation() {
    String drl = HEADER + """
        rule "bookkeeping"
        when
          $j : Journey( currentPath == "/never" )
        then
          System.out.hashCode();
        end
        """.replace("System.out.hashCode();", "$j.getCurrentPath();");

    assertThat(RulePack.compile(Map.of("keep.drl", drl)).ruleNames()).containsExactly("bookkeeping");
  }

  @Test
  void dslrRuleWithoutReason_isRefusedAtItsRuleLine() {
    String dslr = HEADER + "expander nudge.dsl;\n\nrule \"browse-tip\"\nwhen\n  A customer is browsing\nthen\n"
        + "  show a tip \"Hi\" saying \"there\"\nend\n";

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("nudge.dsl", DSL, "browse.dslr", dslr)));

    assertThat(e.problems()).extracting(RuleProblem::file, RuleProblem::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("browse.dslr", 6));
    assertThat(e.problems().get(0).message()).startsWith("rule \"browse-tip\" has no @reason");
  }

  @Test
  void decisionTableRowWithoutDataUsed_isRefusedAtItsRow() {
    String csv = "RuleSet,nudge.test\nImport,io.nudge.engine.facts.*\nVariables,io.nudge.engine.facts.Actions nudge\n"
        + ",\nRuleTable t,,\nNAME,CONDITION,ACTION,METADATA,METADATA\n,$j : Journey,,,\n"
        + ",\"currentPath == \"\"$param\"\"\",\"nudge.tip(\"\"$param\"\", \"\"b\"\");\","
        + "\"reason(\"\"$param\"\")\",\"dataUsed(\"\"$param\"\")\"\n"
        + "rule,path,title,why,data used\nat-cart,/cart,Cart,You are on the cart,your cart\n"
        + "at-help,/help,Help,You are on the help pages,\n";

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("tips.drl.csv", csv)));

    assertThat(e.problems()).extracting(RuleProblem::toString).singleElement().asString()
        .startsWith("tips.drl.csv:11:0: row 11: rule \"at-help\" has no @dataUsed");
  }

  @Test
  void textOverTheLimit_isRefusedWithLengthAndLimit() {
    String drl = HEADER + "rule \"chatty\" @reason(\"" + "x".repeat(201) + "\") @dataUsed(\"your cart\")\n"
        + "when\n  Journey( currentPath == \"/cart\" )\nthen\n  nudge.tip(\"a\", \"b\");\nend\n";

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compile(Map.of("chatty.drl", drl)));

    assertThat(e.problems()).extracting(RuleProblem::message)
        .containsExactly("rule \"chatty\" has a @reason of 201 characters, over the 200-character limit");
  }

  @Test
  void shippedPack_explainsEveryRuleInPlainWords() {
    RulePack pack = RulePack.load(Path.of("..", "rules"));

    for (org.kie.api.definition.KiePackage p : pack.kieBase().getKiePackages()) {
      for (Rule r : p.getRules()) {
        assertThat(RuleExplanations.reason(r)).as(r.getName()).isNotBlank().doesNotContain("\"");
        assertThat(RuleExplanations.dataUsed(r)).as(r.getName()).isNotBlank().doesNotContain("\"");
      }
    }
    assertThat(pack.ruleNames()).contains("checkout-hesitation", "tip-delivery");
  }
}
