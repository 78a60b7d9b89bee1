package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * Plain Avro container files (snappy, as featurepipe writes them) for the plain-Java baseline, with
 * featurepipe's field names so that one reader serves both engines in the equality check.
 */
final class AvroFiles {
  private AvroFiles() {}

  /** A group's row: the key column, {@code window_end} (timestamp-micros), one nullable field per feature. */
  static Schema featureSchema(Group g) {
    SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record(g.name()).namespace("benchmark.offline").fields()
        .requiredString(g.keyColumn())
        .name("window_end").type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG))).noDefault();
    return features(f, g.features()).endRecord();
  }

  /** A training row: the spine's columns, then every feature of {@link BenchFeatures#trainingColumns()}. */
  static Schema trainingSchema() {
    SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("training_set").namespace("benchmark.offline").fields()
        .requiredString("user_id").requiredString("merchant_id").requiredString("event_time").requiredBoolean("is_fraud");
    return features(f, BenchFeatures.trainingColumns()).endRecord();
  }

  private static SchemaBuilder.FieldAssembler<Schema> features(
      SchemaBuilder.FieldAssembler<Schema> f, Iterable<Feature> features) {
    for (Feature feature : features) {
      f = feature.agg().isLong() ? f.optionalLong(feature.name()) : f.optionalDouble(feature.name());
    }
    return f;
  }

  /** Every record of a file, in order (the record object is reused: copy what you keep). */
  static void read(Path file, Consumer<GenericRecord> each) throws IOException {
    try (DataFileReader<GenericRecord> in = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      GenericRecord r = null;
      while (in.hasNext()) {
        r = in.next(r);
        each.accept(r);
      }
    }
  }

  /** One Avro file. */
  static final class Writer implements AutoCloseable {
    private final DataFileWriter<GenericRecord> out;

    Writer(Path file, Schema schema) throws IOException {
      Files.createDirectories(file.getParent());
      out = new DataFileWriter<GenericRecord>(new GenericDatumWriter<>(schema)).setCodec(CodecFactory.snappyCodec());
      out.create(schema, file.toFile());
    }

    void append(GenericRecord r) throws IOException {
      out.append(r);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** One Avro file per date under {@code <dir>/date=YYYY-MM-DD/part-0.avro}, opened as dates come. */
  static final class ByDate implements AutoCloseable {
    private final Path dir;
    private final Schema schema;
    private final Map<LocalDate, Writer> writers = new HashMap<>();

    ByDate(Path dir, Schema schema) {
      this.dir = dir;
      this.schema = schema;
    }

    void append(LocalDate date, GenericRecord r) throws IOException {
      Writer w = writers.get(date);
      if (w == null) {
        w = new Writer(dir.resolve("date=" + date).resolve("part-0.avro"), schema);
        writers.put(date, w);
      }
      w.append(r);
    }

    @Override
    public void close() throws IOException {
      for (Writer w : writers.values()) {
        w.close();
      }
    }
  }
}
