package io.featurepipe.pipelines.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.decode.SchemaEvolution;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Avro files of evolving schemas and codecs in, records out; bad records and files to dead letters. */
class ReadAvroFilesTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final String DEF =
      """
      kind: source
      name: clicks
      format: avro
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: n, type: int}
        - {name: page, type: string}
      bounded: {path: "clicks/{date}*.avro"}
      """;

  static final Schema V1 =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"Click","fields":[
                {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
                {"name":"user","type":"string"},
                {"name":"n","type":"int"}]}
              """);

  /** The next version: a new optional field, a text timestamp, n widened to a nullable long. */
  static final Schema V2 =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"Click","fields":[
                {"name":"ts","type":"string"},
                {"name":"user","type":"string"},
                {"name":"n","type":["null","long"],"default":null},
                {"name":"page","type":["null","string"],"default":null},
                {"name":"extra","type":"double"}]}
              """);

  /** V1 changed as the definition cannot read: 'user' nullable though required, 'n' a double. */
  static final Schema INCOMPATIBLE =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"Click","fields":[
                {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
                {"name":"user","type":["null","string"]},
                {"name":"n","type":"double"}]}
              """);

  static SourceDef source() throws Exception {
    return RepositoryLoader.load(Map.of("s.yaml", DEF)).source("clicks");
  }

  static void write(Path file, Schema schema, CodecFactory codec, GenericRecord... records) throws Exception {
    Files.createDirectories(file.getParent());
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.setCodec(codec);
      w.create(schema, file.toFile());
      for (GenericRecord r : records) {
        w.append(r);
      }
    }
  }

  static GenericRecord rec(Schema s, Object... kv) {
    GenericRecord r = new GenericData.Record(s);
    for (int i = 0; i < kv.length; i += 2) {
      r.put((String) kv[i], kv[i + 1]);
    }
    return r;
  }

  @Test
  void readsOldAndNewSchemasWithEveryCodecAndDeadLettersBadRecordsAndFiles(TestPipeline p, @TempDir Path dir)
      throws Exception {
    write(dir.resolve("clicks/2026-01-01-a.avro"), V1, CodecFactory.nullCodec(),
        rec(V1, "ts", 1_767_225_600_000_001L, "user", "a", "n", 1),
        rec(V1, "ts", 1_767_225_601_000_000L, "user", "b", "n", 2));
    write(dir.resolve("clicks/2026-01-01-b.avro"), V2, CodecFactory.deflateCodec(6),
        rec(V2, "ts", "2026-01-01T00:00:02.123456789Z", "user", "c", "n", null, "page", "/x", "extra", 1.0),
        rec(V2, "ts", "yesterday", "user", "d", "n", 4L, "page", null, "extra", 2.0));
    write(dir.resolve("clicks/2026-01-02-c.avro"), V2, CodecFactory.snappyCodec(),
        rec(V2, "ts", "2026-01-02T00:00:00Z", "user", "e", "n", 5L, "page", "/y", "extra", 3.0));
    write(dir.resolve("clicks/2026-01-02-d.avro"), V1, CodecFactory.zstandardCodec(3),
        rec(V1, "ts", 1_767_312_000_000_000L, "user", "f", "n", 6));
    Files.writeString(dir.resolve("clicks/2026-01-02-e.avro"), "not avro at all");
    // a valid header and block, then a damaged sync marker
    write(dir.resolve("clicks/2026-01-03-f.avro"), V1, CodecFactory.nullCodec(),
        rec(V1, "ts", 1_767_398_400_000_000L, "user", "g", "n", 7));
    File damaged = dir.resolve("clicks/2026-01-03-f.avro").toFile();
    byte[] whole = Files.readAllBytes(damaged.toPath());
    whole[whole.length - 1] ^= 0x55;
    Files.write(damaged.toPath(), whole);

    String box = "avro-" + System.nanoTime();
    PCollectionTuple read =
        p.apply(ReadSource.of(source(), dir.toString(), LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-03")));
    read.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    read.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();

    Map<String, String> records = new TreeMap<>();
    for (SourceRecord r : Collected.<SourceRecord>get(box + "/r")) {
      records.put(r.origin().replaceAll(".*/", ""), Arrays.deepToString(r.values()));
    }
    assertEquals(
        Map.of(
            "2026-01-01-a.avro#1", "[1767225600000001000, a, 1, null]",
            "2026-01-01-a.avro#2", "[1767225601000000000, b, 2, null]",
            "2026-01-01-b.avro#1", "[1767225602123456789, c, null, /x]",
            "2026-01-02-c.avro#1", "[1767312000000000000, e, 5, /y]",
            "2026-01-02-d.avro#1", "[1767312000000000000, f, 6, null]"),
        records);
    Map<String, DeadLetter> dead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
      dead.put(d.origin().replaceAll(".*/", ""), d);
      assertEquals("ReadAvroFiles/clicks", d.step());
    }
    assertEquals(3, dead.size(), dead.toString());
    DeadLetter badTime = dead.get("2026-01-01-b.avro#2");
    assertEquals("field 'ts': 'yesterday' is not a iso8601 timestamp", badTime.reason());
    assertEquals("{\"ts\": \"yesterday\", \"user\": \"d\", \"n\": 4, \"page\": null, \"extra\": 2.0}", badTime.payload());
    assertTrue(dead.get("2026-01-02-e.avro").reason().startsWith("not an Avro data file"), dead.toString());
    // Avro checks a block's sync marker before handing out its records
    DeadLetter corrupt = dead.get("2026-01-03-f.avro#1");
    assertTrue(corrupt != null && corrupt.reason().startsWith("corrupt Avro data after record 0"), dead.toString());
  }

  @Test
  void aFileCutShortInsideItsLastBlockIsADeadLetterCountingTheRecordsLost(TestPipeline p, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("clicks/2026-01-01-cut.avro");
    Files.createDirectories(file.getParent());
    long firstBlockEnd;
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(V1))) {
      w.create(V1, file.toFile());
      w.append(rec(V1, "ts", 1_767_225_600_000_000L, "user", "a", "n", 1));
      firstBlockEnd = w.sync();
      for (int i = 2; i <= 4; i++) {
        w.append(rec(V1, "ts", 1_767_225_600_000_000L + i, "user", "u" + i, "n", i));
      }
    }
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(whole, (int) (firstBlockEnd + whole.length) / 2));
    write(dir.resolve("clicks/2026-01-01-whole.avro"), V1, CodecFactory.deflateCodec(6),
        rec(V1, "ts", 1_767_225_600_000_000L, "user", "w", "n", 9));

    String box = "avro-cut-" + System.nanoTime();
    PCollectionTuple read =
        p.apply(ReadSource.of(source(), dir.toString(), LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-01")));
    read.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    read.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    p.run().waitUntilFinish();

    Map<String, String> records = new TreeMap<>();
    for (SourceRecord r : Collected.<SourceRecord>get(box + "/r")) {
      records.put(r.origin().replaceAll(".*/", ""), (String) r.value(1));
    }
    assertEquals(Map.of("2026-01-01-cut.avro#1", "a", "2026-01-01-whole.avro#1", "w"), records);
    Map<String, DeadLetter> dead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
      dead.put(d.origin().replaceAll(".*/", ""), d);
    }
    assertEquals(List.of("2026-01-01-cut.avro#2"), List.copyOf(dead.keySet()), dead.toString());
    assertEquals("the file ends inside an Avro block (truncated?) after record 1: 3 records of its last block lost",
        dead.get("2026-01-01-cut.avro#2").reason());
  }

  @Test
  void anIncompatibleFileStopsTheBuildNamingFieldAndTypes(@TempDir Path dir) throws Exception {
    Schema changed = INCOMPATIBLE;
    write(dir.resolve("clicks/2026-01-01-a.avro"), V1, CodecFactory.nullCodec(),
        rec(V1, "ts", 0L, "user", "a", "n", 1));
    write(dir.resolve("clicks/2026-01-02-a.avro"), changed, CodecFactory.nullCodec(),
        rec(changed, "ts", 0L, "user", "a", "n", 1.0));
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    SchemaEvolution.IncompatibleSchemaException e =
        assertThrows(
            SchemaEvolution.IncompatibleSchemaException.class,
            () -> p.apply(ReadSource.of(source(), dir.toString(), null, null)));
    assertTrue(e.getMessage().contains("2026-01-02-a.avro was written with a schema"), e.getMessage());
    assertTrue(e.getMessage().contains("field 'user' may be null in the data ([null,string]) but is required"), e.getMessage());
    assertTrue(e.getMessage().contains("field 'n' changed type: written as double, read as [null,long]"), e.getMessage());
  }
}
