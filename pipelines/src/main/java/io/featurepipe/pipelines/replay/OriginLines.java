package io.featurepipe.pipelines.replay;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The input lines dead letters point at ({@code origin} {@code <file>:<line>}), read once per file:
 * to tell a record still in its input (a rerun reads it again) from one whose payload was fixed,
 * and to read a CSV line with its file's header.
 */
final class OriginLines {
  private final Map<String, List<String>> files = new HashMap<>();

  /** The file of an origin {@code <file>:<line>}, or null when it names no line of a file. */
  static String file(String origin) {
    int colon = origin == null ? -1 : origin.lastIndexOf(':');
    if (colon <= 0 || lineNumber(origin) < 1 || origin.startsWith("kafka:") || origin.startsWith("pubsub:")) {
      return null;
    }
    return origin.substring(0, colon);
  }

  private static long lineNumber(String origin) {
    try {
      return Long.parseLong(origin.substring(origin.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The text at an origin, or null when the file or line is not there. */
  String line(String origin) {
    String file = file(origin);
    if (file == null) {
      return null;
    }
    List<String> lines = lines(file);
    long n = lineNumber(origin);
    return lines == null || n > lines.size() ? null : lines.get((int) n - 1);
  }

  /** The column names of a CSV file's header line, or null when the file is gone. */
  List<String> csvHeader(String origin, char delimiter) {
    String file = file(origin);
    List<String> lines = file == null ? null : lines(file);
    if (lines == null || lines.isEmpty()) {
      return null;
    }
    try (CSVParser p =
        CSVParser.parse(new StringReader(lines.get(0)), CSVFormat.RFC4180.builder().setDelimiter(delimiter).get())) {
      List<CSVRecord> recs = p.getRecords();
      return recs.isEmpty() ? null : recs.get(0).toList();
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }

  private List<String> lines(String file) {
    return files.computeIfAbsent(
        file,
        f -> {
          try {
            return DeadLetterFiles.linesIfExists(f);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
          }
        });
  }
}
