package io.featurepipe.runners;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/** Reads the first rows of a training set's Avro files, as JSON, to show them. */
final class TrainingRows {
  private TrainingRows() {}

  static List<String> first(Path dir, int n) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(".avro")).sorted().toList();
    }
    List<String> rows = new ArrayList<>();
    for (Path f : files) {
      try (DataFileReader<GenericRecord> r = new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
        while (rows.size() < n && r.hasNext()) {
          rows.add(r.next().toString());
        }
      }
      if (rows.size() >= n) {
        break;
      }
    }
    return rows;
  }
}
