package io.featurepipe.pipelines.ingest.avro;

import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.model.SourceDef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Checks, while the pipeline is built, that every Avro file a read will see was written with a
 * schema the source definition can read ({@link SchemaEvolution#requireReadable}); only the file
 * headers are read. Files that are not Avro at all are left to the read, which turns them into
 * dead letters.
 */
public final class CheckAvroFiles {
  private CheckAvroFiles() {}

  /**
   * The distinct writer schemas of the files matching the patterns, each with the first file that
   * has it and how many files do.
   *
   * @throws SchemaEvolution.IncompatibleSchemaException naming file, field, old and new type
   */
  public static Map<Schema, List<String>> requireReadable(SourceDef source, List<String> patterns) {
    Map<Schema, List<String>> bySchema = new LinkedHashMap<>();
    for (String pattern : patterns) {
      for (MatchResult.Metadata file : match(pattern)) {
        Schema schema = writerSchema(file);
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

  /** The file's writer schema, or null when it is not an Avro data file. */
  static Schema writerSchema(MatchResult.Metadata file) {
    String name = file.resourceId().toString();
    try (InputStream in =
            Channels.newInputStream(
                Compression.detect(name).readDecompressed(FileSystems.open(file.resourceId())));
        DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
      return avro.getSchema();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
