package io.featurepipe.pipelines.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;

/**
 * The Avro records dead letters of {@code ReadAvroFiles} point at (origin {@code <file>#<n>}, the
 * n-th record of the file, 1-based), each read with its file's writer schema as the pipeline reads
 * it ({@link NumberedOrigins}: each file read once, keeping only the records asked for). Tells a
 * record still in its input (a rerun reads it again) from one whose payload was fixed.
 */
final class AvroOrigins extends NumberedOrigins<GenericRecord> {
  /** Keeps the records of these origins (those of the dead letters to replay). */
  AvroOrigins(Collection<String> origins) {
    super('#');
    keep(origins);
  }

  /** The file of an origin {@code <file>#<n>}, or null when it names no record of a file. */
  static String file(String origin) {
    return fileOf(origin, '#');
  }

  /** The record at an origin, or null when the file or record is not there (or not readable). */
  GenericRecord record(String origin) {
    return at(origin);
  }

  /** The records of a file whose numbers are in {@code keep}, up to the first it cannot read. */
  @Override
  Map<Long, GenericRecord> read(String file, Set<Long> keep) {
    Map<Long, GenericRecord> out = new HashMap<>();
    try (InputStream in =
            Channels.newInputStream(
                Compression.detect(file).readDecompressed(FileSystems.open(FileSystems.matchSingleFileSpec(file).resourceId())));
        DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
      GenericRecord reuse = null;
      for (long n = 1; avro.hasNext() && out.size() < keep.size(); n++) {
        if (keep.contains(n)) {
          out.put(n, avro.next());
        } else {
          reuse = avro.next(reuse);
        }
      }
    } catch (IOException | AvroRuntimeException e) {
      // not Avro, or corrupt part-way: the records before are still there
    }
    return out;
  }
}
