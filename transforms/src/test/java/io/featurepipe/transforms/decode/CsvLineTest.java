package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvLineTest {

  @Test
  void splitsLinesWithoutQuotesAtEveryDelimiter() throws IOException {
    assertEquals(List.of("u1", "m7", "2026-01-01T00:00:00Z"), CsvLine.fields("u1,m7,2026-01-01T00:00:00Z", ','));
    assertEquals(List.of("", "", ""), CsvLine.fields(",,", ','));
    assertEquals(List.of(" a ", "b", ""), CsvLine.fields(" a ,b,", ','), "blanks are kept, a trailing delimiter ends an empty field");
    assertEquals(List.of("a,b", "c"), CsvLine.fields("a,b;c", ';'));
    assertEquals(List.of("ü€𝄞"), CsvLine.fields("ü€𝄞", ','));
  }

  @Test
  void quotedLinesGoThroughTheParser() throws IOException {
    assertEquals(List.of("a,b", "say \"hi\"", ""), CsvLine.fields("\"a,b\",\"say \"\"hi\"\"\",", ','));
    IOException open = assertThrows(IOException.class, () -> CsvLine.fields("\"unclosed,b", ','));
    assertEquals(IOException.class, open.getClass());
    assertThrows(IOException.class, () -> CsvLine.fields("", ','), "an empty line is no record");
  }

  /** The split and Commons CSV read every random line alike, or both refuse it. */
  @Test
  void agreesWithCommonsCsvOnRandomLines() {
    String[] pieces = {"a", "bc", " ", ",", ";", "\"", "\"\"", "é", "1.5", ""};
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder line = new StringBuilder();
      int n = random.nextInt(8);
      for (int p = 0; p < n; p++) {
        line.append(pieces[random.nextInt(pieces.length)]);
      }
      char delimiter = random.nextBoolean() ? ',' : ';';
      String text = line.toString();
      List<String> expected;
      try {
        expected = CsvLine.parsed(text, delimiter);
      } catch (IOException e) {
        assertThrows(IOException.class, () -> CsvLine.fields(text, delimiter), text);
        continue;
      }
      try {
        assertEquals(expected, CsvLine.fields(text, delimiter), "[" + text + "] split at " + delimiter);
      } catch (IOException e) {
        throw new AssertionError("[" + text + "]: " + e.getMessage(), e);
      }
    }
  }
}
