package io.featurepipe.transforms.decode;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The fields of one CSV line (RFC 4180 with a given delimiter), each line on its own so that a bad
 * line is one dead letter and never swallows the next.
 *
 * <pre>{@code
 * List<String> fields = CsvLine.fields("u1,m7,2026-01-01T00:00:00Z", ',');
 * }</pre>
 *
 * <p>Apache Commons CSV parses every line that holds a quote. A line without one has no quoting
 * and no escapes, so its fields are exactly the text between delimiters, and it is split directly:
 * a Commons CSV parser per line allocates a buffered reader and a lexer, which was 13%
 * of a training set's CPU on Flink (BENCHMARKS.md, offline: {@code CSVParser.<init>}, commit
 * 8dd2290). {@code CsvLineTest} checks the two agree on random lines.
 */
public final class CsvLine {
  private CsvLine() {}

  /**
   * The fields of {@code line}; empty fields are empty strings.
   *
   * @throws IOException when the line is not one CSV record (an unclosed quote, or nothing)
   */
  public static List<String> fields(String line, char delimiter) throws IOException {
    if (line.isEmpty() || line.indexOf('"') >= 0 || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
      return parsed(line, delimiter);
    }
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int at = line.indexOf(delimiter); at >= 0; at = line.indexOf(delimiter, from)) {
      out.add(line.substring(from, at));
      from = at + 1;
    }
    out.add(line.substring(from));
    return out;
  }

  /** Commons CSV's reading of the line. */
  static List<String> parsed(String line, char delimiter) throws IOException {
    try (CSVParser p = CSVParser.parse(new StringReader(line), CSVFormat.RFC4180.builder().setDelimiter(delimiter).get())) {
      List<CSVRecord> records = p.getRecords();
      if (records.size() != 1) {
        throw new IOException("not one CSV record");
      }
      return records.get(0).toList();
    } catch (UncheckedIOException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
