package io.featurepipe.pipelines.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Spines written as Spark writes Parquet: no Avro schema, optional columns, the time as INT96. */
final class ParquetSpines {
  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message spark_schema {
            optional int64 id;
            optional binary user (STRING);
            optional int64 shop_id;
            optional int96 t;
            optional boolean label;
            optional binary meta (STRING);
          }
          """);

  private ParquetSpines() {}

  /** Rows {@code from} to {@code to} of {@link ReferenceTrainingSetTest}'s spine (times in nanoseconds). */
  static void write(Path file, List<long[]> rows, List<String> users, int from, int to) throws Exception {
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(SCHEMA)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (int i = from; i < to; i++) {
        Group g = groups.newGroup();
        g.add("id", (long) i);
        g.add("user", users.get(i));
        g.add("shop_id", rows.get(i)[1]);
        g.add("t", int96(rows.get(i)[0]));
        g.add("label", i % 3 == 0);
        g.add("meta", "{\"n\":" + i + "}");
        w.write(g);
      }
    }
  }

  /** An instant in nanoseconds as INT96: nanoseconds of the day, then the Julian day, little-endian. */
  static Binary int96(long nanos) {
    long day = Math.floorDiv(nanos, 86_400_000_000_000L);
    long ofDay = Math.floorMod(nanos, 86_400_000_000_000L);
    return Binary.fromConstantByteArray(
        ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(ofDay).putInt((int) (day + 2_440_588L)).array());
  }
}
