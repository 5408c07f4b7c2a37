package io.nudge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;

/**
 * A {@code .drl.xlsx} workbook, as an analyst saves it from Excel, compiles like the same table as CSV:
 * here the shipped {@code tips-by-section.drl.csv}, cell for cell in a workbook.
 */
class ExcelDecisionTableTest {
  private static final Path SHIPPED = Path.of("../rules/tips-by-section.drl.csv");

  @Test
  void theShippedTableAsAWorkbook_makesTheSameRules() throws IOException {
    String csv = Files.readString(SHIPPED);

    RulePack fromExcel = RulePack.compileBytes(Map.of("tips-by-section.drl.xlsx", workbook(csv)));

    assertThat(fromExcel.ruleNames()).isNotEmpty()
        .containsExactlyInAnyOrderElementsOf(RulePack.compile(Map.of("tips-by-section.drl.csv", csv)).ruleNames());
  }

  @Test
  void aBadCellInAWorkbook_isReportedWithTheFileAndItsRow() throws IOException {
    String csv = Files.readString(SHIPPED).replace("nudge.once($section).tip(", "nudge.once($section).tipp(");

    RuleCompilationException e = catchThrowableOfType(RuleCompilationException.class,
        () -> RulePack.compileBytes(Map.of("tips.drl.xlsx", workbook(csv))));

    assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
      assertThat(p.file()).isEqualTo("tips.drl.xlsx");
      assertThat(p.line()).isGreaterThanOrEqualTo(10);
      assertThat(p.message()).contains("tipp");
    });
  }

  /** The CSV's cells in the first sheet of a new workbook. */
  private static byte[] workbook(String csv) throws IOException {
    try (XSSFWorkbook book = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      Sheet sheet = book.createSheet("Tables");
      int r = 0;
      for (String line : csv.split("\n")) {
        Row row = sheet.createRow(r++);
        List<String> cells = cells(line);
        for (int c = 0; c < cells.size(); c++) {
          if (!cells.get(c).isEmpty()) {
            row.createCell(c).setCellValue(cells.get(c));
          }
        }
      }
      book.write(out);
      return out.toByteArray();
    }
  }

  /** One CSV line's cells: commas separate, double quotes enclose, two double quotes are one. */
  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        cell.append('"');
        i++;
      } else if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (ch != '\r') {
        cell.append(ch);
      }
    }
    cells.add(cell.toString());
    return cells;
  }
}
