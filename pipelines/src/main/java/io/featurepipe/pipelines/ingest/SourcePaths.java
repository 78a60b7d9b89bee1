package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.model.SourceDef;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a source's bounded files are: its {@code bounded.path} glob, resolved against a data root
 * (absolute paths and URLs such as {@code gs://} stay as they are), with {@code {date}} expanded to
 * each day of a range, or to {@code *} when no range is given.
 */
public final class SourcePaths {
  private SourcePaths() {}

  public static List<String> patterns(SourceDef source, String dataRoot, LocalDate from, LocalDate to) {
    if (source.bounded() == null || !"path".equals(source.bounded().kind())) {
      throw new IllegalArgumentException(
          "source '" + source.name() + "' has no bounded path to read files from");
    }
    String path = source.bounded().get("path");
    String resolved = resolve(dataRoot, path);
    List<String> out = new ArrayList<>();
    if (!resolved.contains("{date}")) {
      out.add(resolved);
    } else if (from == null || to == null) {
      out.add(resolved.replace("{date}", "*"));
    } else {
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        out.add(resolved.replace("{date}", d.toString()));
      }
    }
    return out;
  }

  /** A path resolved against a data root (absolute paths and URLs stay as they are). */
  public static String resolve(String dataRoot, String path) {
    if (path.contains("://") || path.startsWith("/") || dataRoot == null || dataRoot.isEmpty()) {
      return path;
    }
    if (dataRoot.contains("://")) {
      return dataRoot.endsWith("/") ? dataRoot + path : dataRoot + "/" + path;
    }
    return Path.of(dataRoot).toAbsolutePath().normalize().resolve(path).toString();
  }
}
