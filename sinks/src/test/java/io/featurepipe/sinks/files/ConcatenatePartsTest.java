package io.featurepipe.sinks.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part files join into one file, in order, for every format — many parts, each opened only while
 * it is copied (a partition of a large backfill has thousands of parts).
 */
class ConcatenatePartsTest {
  private static final int PARTS = 300;
  private static final Schema SCHEMA =
      SchemaBuilder.record("row").fields().requiredLong("n").endRecord();

  @TempDir Path dir;

  @Test
  void jsonLines() throws IOException {
    Path joined = join(new JsonLinesFormat(), n -> "{\"n\":" + n + "}");
    List<String> lines = Files.readAllLines(joined, StandardCharsets.UTF_8);
    assertEquals(expected(n -> "{\"n\":" + n + "}"), lines);
  }

  @Test
  void avroKeepsTheMetadataOfTheFirstPart() throws IOException {
    AvroFormat<Long> format = new AvroFormat<>(new Numbers(), n -> Map.of("featurepipe.run", "r1"));
    Path joined = join(format, n -> (long) n);
    List<Long> read = new ArrayList<>();
    try (DataFileReader<GenericRecord> r = new DataFileReader<>(joined.toFile(), new GenericDatumReader<>())) {
      assertEquals("r1", r.getMetaString("featurepipe.run"));
      r.forEach(g -> read.add((Long) g.get("n")));
    }
    assertEquals(expected(n -> (long) n), read);
  }

  @Test
  void tfRecords() throws IOException {
    Path joined = join(new TfRecordFormat<String>(s -> s.getBytes(StandardCharsets.UTF_8)), n -> "record " + n);
    // TFRecord framing: length (little-endian uint64), its masked CRC32C, the data, its masked CRC32C
    List<String> read = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(joined)).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      byte[] data = new byte[(int) b.getLong()];
      b.getInt();
      b.get(data);
      b.getInt();
      read.add(new String(data, StandardCharsets.UTF_8));
    }
    assertEquals(expected(n -> "record " + n), read);
  }

  /** Writes PARTS part files of two elements each (element i of part p is 2p + i), then joins them. */
  private <T> Path join(FileFormat<T> format, java.util.function.IntFunction<T> element) throws IOException {
    List<ResourceId> parts = new ArrayList<>();
    for (int p = 0; p < PARTS; p++) {
      Path part = dir.resolve("part-" + p + format.extension());
      try (WritableByteChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        FileFormat.Writer<T> w = format.open(ch, element.apply(2 * p));
        w.write(element.apply(2 * p));
        w.write(element.apply(2 * p + 1));
        w.finish();
      }
      parts.add(FileSystems.matchNewResource(part.toString(), false));
    }
    Path joined = dir.resolve("joined" + format.extension());
    try (WritableByteChannel out = FileChannel.open(joined, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      format.concatenate(parts, out);
    }
    return joined;
  }

  private static <T> List<T> expected(java.util.function.IntFunction<T> element) {
    List<T> out = new ArrayList<>();
    for (int i = 0; i < 2 * PARTS; i++) {
      out.add(element.apply(i));
    }
    return out;
  }

  /** Numbers as records of one long field, {@code n}. */
  private static final class Numbers implements AvroFormat.Encoding<Long> {
    @Override
    public Schema schema(Long first) {
      return SCHEMA;
    }

    @Override
    public DatumWriter<Long> writer(Long first, Schema schema) {
      return new DatumWriter<>() {
        @Override
        public void setSchema(Schema given) {}

        @Override
        public void write(Long n, Encoder out) throws IOException {
          out.writeLong(n);
        }
      };
    }
  }
}
