package io.featurepipe.pipelines.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.record.DeadLetter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Reads dead-letter files: JSON lines with {@code source}, {@code step}, {@code reason},
 * {@code origin} and {@code payload}, as every featurepipe pipeline writes them
 * ({@code WriteDeadLetters.toJson}). Paths may be globs and URLs (any Beam file system);
 * compressed files are read by extension.
 *
 * <pre>{@code
 * List<DeadLetterFiles.Entry> letters = DeadLetterFiles.read(List.of("offline/_dead_letters/run-1/*.jsonl"));
 * }</pre>
 */
public final class DeadLetterFiles {

  /** One dead letter and where it was read ({@code file:line}). */
  public record Entry(DeadLetter letter, String file, long line) {
    public String where() {
      return file + ":" + line;
    }
  }

  private DeadLetterFiles() {}

  /** The files the patterns match, sorted and without duplicates; a pattern matching none fails. */
  public static List<String> match(List<String> patterns) throws IOException {
    TreeSet<String> files = new TreeSet<>();
    for (String pattern : patterns) {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      List<MatchResult.Metadata> found =
          m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
      if (found.isEmpty()) {
        throw new IllegalArgumentException("--dead-letters " + pattern + " matches no file");
      }
      for (MatchResult.Metadata md : found) {
        if (!md.resourceId().isDirectory()) {
          files.add(md.resourceId().toString());
        }
      }
    }
    return new ArrayList<>(files);
  }

  /** Every dead letter of the files, in file and line order. A malformed line fails, naming it. */
  public static List<Entry> read(List<String> files) throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String file : files) {
      long n = 0;
      for (String line : lines(file)) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        out.add(new Entry(parse(line, file + ":" + n), file, n));
      }
    }
    return out;
  }

  static List<String> lines(String file) throws IOException {
    ResourceId id = FileSystems.matchSingleFileSpec(file).resourceId();
    List<String> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(Compression.detect(file).readDecompressed(FileSystems.open(id))),
                StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        out.add(line);
      }
    }
    return out;
  }

  private static DeadLetter parse(String line, String where) {
    JsonNode n;
    try {
      // a letter a line: two run together (a hand edit) fail the replay, never replay the first alone
      n = RecordDecoder.objectOfLine(line);
    } catch (BadRecordException e) {
      throw new IllegalArgumentException(where + ": not a dead letter (" + e.getMessage() + ")");
    }
    for (String f : List.of("source", "step", "payload")) {
      if (!n.path(f).isTextual()) {
        throw new IllegalArgumentException(where + ": not a dead letter (no text field '" + f + "')");
      }
    }
    return new DeadLetter(
        n.get("source").textValue(),
        n.get("step").textValue(),
        n.path("reason").asText(""),
        n.get("payload").textValue(),
        n.path("origin").isTextual() ? n.get("origin").textValue() : "");
  }
}
