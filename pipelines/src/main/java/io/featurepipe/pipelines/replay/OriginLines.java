package io.featurepipe.pipelines.replay;

import io.featurepipe.transforms.decode.CsvLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;

/**
 * The input lines dead letters point at ({@code origin} {@code <file>:<line>}): to tell a record
 * still in its input (a rerun reads it again) from one whose payload was fixed, and to read a CSV
 * line with its file's header ({@link NumberedOrigins}: each file read once, keeping only the lines
 * asked for and the first, a CSV header).
 */
final class OriginLines extends NumberedOrigins<String> {
  /** Keeps the lines of these origins (those of the dead letters to replay). */
  OriginLines(Collection<String> origins) {
    super(':');
    keep(origins);
  }

  /** The file of an origin {@code <file>:<line>}, or null when it names no line of a file. */
  @Override
  String fileOf(String origin) {
    return origin == null || origin.startsWith("kafka:") || origin.startsWith("pubsub:") ? null : super.fileOf(origin);
  }

  /** The text at an origin, or null when the file or line is not there. */
  String line(String origin) {
    return at(origin);
  }

  /** The column names of a CSV file's header line, or null when the file is gone. */
  List<String> csvHeader(String origin, char delimiter) {
    String file = fileOf(origin);
    if (file == null) {
      return null;
    }
    Map<Long, String> lines = items(file);
    if (lines == null || !lines.containsKey(1L)) {
      return null;
    }
    try {
      return CsvLine.fields(lines.get(1L), delimiter);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  Set<Long> alwaysKept() {
    return Set.of(1L);
  }

  /** The lines of a file whose numbers (1-based) are in {@code keep}, read as a stream. */
  @Override
  Map<Long, String> read(String file, Set<Long> keep) throws IOException {
    Map<Long, String> out = new HashMap<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(
                    Compression.detect(file).readDecompressed(FileSystems.open(FileSystems.matchSingleFileSpec(file).resourceId()))),
                StandardCharsets.UTF_8))) {
      long n = 0;
      for (String line = r.readLine(); line != null && out.size() < keep.size(); line = r.readLine()) {
        if (keep.contains(++n)) {
          out.put(n, line);
        }
      }
    }
    return out;
  }
}
