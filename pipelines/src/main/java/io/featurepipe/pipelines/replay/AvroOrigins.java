package io.featurepipe.pipelines.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;

/**
 * The Avro records dead letters of {@code ReadAvroFiles} point at (origin {@code <file>#<n>}, the
 * n-th record of the file, 1-based), each read with its file's writer schema as the pipeline reads
 * it; a file is read once. Tells a record still in its input (a rerun reads it again) from one
 * whose payload was fixed.
 */
final class AvroOrigins {
  private final Map<String, List<GenericRecord>> files = new HashMap<>();

  /** The file of an origin {@code <file>#<n>}, or null when it names no record of a file. */
  static String file(String origin) {
    int hash = origin == null ? -1 : origin.lastIndexOf('#');
    return hash <= 0 || number(origin) < 1 ? null : origin.substring(0, hash);
  }

  private static long number(String origin) {
    try {
      return Long.parseLong(origin.substring(origin.lastIndexOf('#') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The record at an origin, or null when the file or record is not there (or not readable). */
  GenericRecord record(String origin) {
    String file = file(origin);
    if (file == null) {
      return null;
    }
    List<GenericRecord> records = files.computeIfAbsent(file, AvroOrigins::read);
    long n = number(origin);
    return records == null || n > records.size() ? null : records.get((int) n - 1);
  }

  /** The records of a file up to the first it cannot read; null when the file is gone. */
  private static List<GenericRecord> read(String file) {
    try {
      if (!ReplayFiles.exists(file)) {
        return null;
      }
      List<GenericRecord> out = new ArrayList<>();
      try (InputStream in =
              Channels.newInputStream(
                  Compression.detect(file).readDecompressed(FileSystems.open(FileSystems.matchSingleFileSpec(file).resourceId())));
          DataFileStream<GenericRecord> avro = new DataFileStream<>(in, new GenericDatumReader<>())) {
        while (avro.hasNext()) {
          out.add(avro.next());
        }
      } catch (IOException | AvroRuntimeException e) {
        // not Avro, or corrupt part-way: the records before are still there
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
