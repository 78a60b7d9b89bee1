package io.featurepipe.pipelines.replay;

import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Where replayed records of a bounded source go: a file the source's own {@code bounded.path}
 * matches for the record's date, so a backfill of that date reads it beside the original files
 * with no change to the backfill. The path's last segment must have a {@code *} (e.g.
 * {@code payments/{date}*.jsonl}): it becomes {@code -replay-<id>} ({@code replay-<id>} at the
 * start of the name), giving {@code payments/2026-01-08-replay-3fa2c1d0.jsonl}. A path without a
 * wildcard matches one file per day and leaves no room for another: the replay then needs an
 * output root the backfill reads in addition, and writes the path itself there.
 */
final class ReplayFiles {
  private ReplayFiles() {}

  /**
   * The file (resolved against {@code root}) for the records of {@code date}.
   *
   * @param separateRoot whether {@code root} is not the data root the backfill reads (then a path
   *     without a wildcard is written as it is)
   * @throws IllegalArgumentException when no such file can be named, saying what to change
   */
  static String path(SourceDef source, String root, LocalDate date, String replayId, boolean separateRoot) {
    String pattern = source.bounded().get("path").replace("{date}", date.toString());
    int slash = pattern.lastIndexOf('/');
    String dir = pattern.substring(0, slash + 1);
    String name = pattern.substring(slash + 1);
    int star = name.indexOf('*');
    String file;
    if (star >= 0) {
      String token = star == 0 ? "replay-" + replayId : "-replay-" + replayId;
      file = dir + name.replace("**", "*").replaceFirst("\\*", token).replace("*", "");
      if (!FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(file))) {
        throw new IllegalArgumentException(
            "source '" + source.name() + "': no replay file name fits its path '"
                + source.bounded().get("path") + "' (use one '*' in the file name, e.g. 'payments/{date}*.jsonl')");
      }
    } else if (separateRoot) {
      file = pattern;
    } else {
      throw new IllegalArgumentException(
          "source '" + source.name() + "': its path '" + source.bounded().get("path")
              + "' matches one file per day, so a replay file cannot sit beside it. Either end the"
              + " file name with a wildcard (e.g. '" + suggestion(source.bounded().get("path"))
              + "', no version changes), or pass --output-root DIR and have the backfill read DIR too");
    }
    return SourcePaths.resolve(root, file);
  }

  private static String suggestion(String path) {
    int dot = path.lastIndexOf('.');
    int slash = path.lastIndexOf('/');
    return dot > slash ? path.substring(0, dot) + "*" + path.substring(dot) : path + "*";
  }

  /** Whether a file exists. */
  static boolean exists(String file) throws IOException {
    MatchResult m = org.apache.beam.sdk.io.FileSystems.match(file, EmptyMatchTreatment.ALLOW);
    return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
  }

  /** Writes lines (each followed by a newline) to a file, replacing it. */
  static void write(String file, List<String> lines) throws IOException {
    ResourceId id = org.apache.beam.sdk.io.FileSystems.matchNewResource(file, false);
    try (OutputStream out =
        Channels.newOutputStream(org.apache.beam.sdk.io.FileSystems.create(id, MimeTypes.TEXT))) {
      for (String line : lines) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    }
  }
}
