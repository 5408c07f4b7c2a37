package io.nudge.engine;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.drools.decisiontable.InputType;
import org.drools.decisiontable.SpreadsheetCompiler;
import org.kie.api.io.ResourceType;
import org.kie.internal.builder.KnowledgeBuilder;
import org.kie.internal.builder.KnowledgeBuilderFactory;
import org.kie.internal.io.ResourceFactory;

/**
 * The formats a rule file may be written in, told apart by the end of its name: DRL, a business
 * vocabulary ({@code .dsl}) with the rules written in it ({@code .dslr}), and decision tables saved
 * from a spreadsheet as CSV or XLSX.
 */
enum RuleFormat {
  // longest suffix first: "x.drl.csv" is a decision table, not DRL
  CSV(".drl.csv", ResourceType.DRL, InputType.CSV),
  XLSX(".drl.xlsx", ResourceType.DRL, InputType.XLS),
  DSL(".dsl", ResourceType.DSL, null),
  DSLR(".dslr", ResourceType.DSLR, null),
  DRL(".drl", ResourceType.DRL, null);

  private final String suffix;
  private final ResourceType type;
  private final InputType table;

  RuleFormat(String suffix, ResourceType type, InputType table) {
    this.suffix = suffix;
    this.type = type;
    this.table = table;
  }

  /** The format of a file of that name, or null when it is no rule file. */
  static RuleFormat of(String fileName) {
    for (RuleFormat f : values()) {
      if (fileName.endsWith(f.suffix)) {
        return f;
      }
    }
    return null;
  }

  /**
   * A builder holding all {@code files}. The vocabularies go in first, so every {@code .dslr}
   * file can use every {@code .dsl} sentence whatever the names sort as. A file of no known format
   * is compiled as DRL, as before there were other formats. Decision tables are turned into DRL
   * here, not by the builder: Drools caches a table's DRL by file name for the life of the JVM, so
   * an edited table would compile to its old rules. Their DRL goes into {@code generated}, a
   * table that cannot be read into {@code problems}.
   */
  static KnowledgeBuilder newBuilder(SortedMap<String, byte[]> files, Map<String, String> generated,
      List<RuleProblem> problems) {
    KnowledgeBuilder builder = KnowledgeBuilderFactory.newKnowledgeBuilder();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (of(f.getKey()) == DSL) {
        add(builder, f.getKey(), f.getValue(), DSL.type);
      }
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      RuleFormat format = of(f.getKey());
      if (format == null) {
        add(builder, f.getKey(), f.getValue(), ResourceType.DRL);
      } else if (format.table != null) {
        String drl = format.tableToDrl(f.getKey(), f.getValue(), problems);
        if (drl != null) {
          generated.put(f.getKey(), drl);
          add(builder, f.getKey(), drl.getBytes(StandardCharsets.UTF_8), ResourceType.DRL);
        }
      } else if (format != DSL) {
        add(builder, f.getKey(), f.getValue(), format.type);
      }
    }
    return builder;
  }

  private String tableToDrl(String name, byte[] content, List<RuleProblem> problems) {
    try {
      return new SpreadsheetCompiler().compile(new ByteArrayInputStream(content), table);
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      problems.add(new RuleProblem(name, 0, 0, "the decision table cannot be read: " + why));
      return null;
    }
  }

  private static void add(KnowledgeBuilder builder, String name, byte[] content, ResourceType type) {
    builder.add(ResourceFactory.newByteArrayResource(content).setSourcePath(name), type);
  }
}
