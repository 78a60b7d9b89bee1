package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Checks, while the pipeline is built, that every file a read will see (Avro, Parquet) was written
 * with a schema the source definition can read ({@link SchemaEvolution#requireReadable}); only the
 * files' headers or footers are read. Files whose schema cannot be read at all are left to the
 * read, which turns them into dead letters.
 */
public final class CheckFileSchemas {
  private CheckFileSchemas() {}

  /** How a format finds a file's schema as Avro. */
  @FunctionalInterface
  public interface SchemaReader {
    /** The file's writer schema, or null when the file is not in the format (or unreadable). */
    Schema schema(MatchResult.Metadata file);
  }

  /**
   * The distinct writer schemas of the files matching the patterns, each with the files that have
   * it.
   *
   * @throws SchemaEvolution.IncompatibleSchemaException naming file, field, old and new type
   */
  public static Map<Schema, List<String>> requireReadable(
      SourceDef source, List<String> patterns, SchemaReader reader) {
    Map<Schema, List<String>> bySchema = new LinkedHashMap<>();
    for (String pattern : patterns) {
      for (MatchResult.Metadata file : match(pattern)) {
        Schema schema = reader.schema(file);
        if (schema != null) {
          bySchema.computeIfAbsent(schema, s -> new ArrayList<>()).add(file.resourceId().toString());
        }
      }
    }
    for (Map.Entry<Schema, List<String>> e : bySchema.entrySet()) {
      List<String> files = e.getValue();
      String where =
          files.get(0) + (files.size() > 1 ? " (and " + (files.size() - 1) + " more files)" : "");
      SchemaEvolution.requireReadable(source, e.getKey(), where);
    }
    return bySchema;
  }

  private static List<MatchResult.Metadata> match(String pattern) {
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pattern + ": " + e.getMessage(), e);
    }
  }
}
