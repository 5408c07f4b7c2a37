package io.nudge.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.nudge.engine.RulePack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every ```drl example in docs/rules.md compiles against the real engine, so the guide cannot rot. */
final class DocsExamplesTest {
  private static final String HEADER = "package nudge.rules;\n"
      + "import io.nudge.engine.facts.*;\n"
      + "global io.nudge.engine.facts.Actions nudge;\n";

  @TestFactory
  List<DynamicTest> everyDrlExampleInTheRulesGuide_compiles() throws IOException {
    Path guide = Path.of(System.getProperty("nudge.rules.dir", ".")).resolve("../docs/rules.md");
    Matcher m = Pattern.compile("```drl\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(guide));
    List<DynamicTest> tests = new ArrayList<>();
    while (m.find()) {
      String drl = m.group(1);
      String source = drl.contains("package ") ? drl : HEADER + drl;
      String name = drl.lines().filter(l -> l.startsWith("rule ")).findFirst().orElse("example " + tests.size());
      tests.add(DynamicTest.dynamicTest(name, () ->
          assertThat(RulePack.compile(Map.of("example.drl", source)).ruleNames()).isNotEmpty()));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(9);
    return tests;
  }
}
