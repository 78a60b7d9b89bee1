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
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet files of evolving schemas and page codecs in, records out (written by parquet-avro and by
 * a writer that stores no Avro schema, as other tools write them); bad rows and files to dead
 * letters.
 */
class ReadParquetFilesTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final String DEF = ReadAvroFilesTest.DEF.replace("format: avro", "format: parquet").replace("*.avro", "*.parquet*");

  static SourceDef source() throws Exception {
    return RepositoryLoader.load(Map.of("s.yaml", DEF)).source("clicks");
  }

  static void write(Path file, Schema schema, CompressionCodecName codec, GenericRecord... records) throws Exception {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(schema)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(codec)
            .build()) {
      for (GenericRecord r : records) {
        w.write(r);
      }
    }
  }

  static GenericRecord rec(Schema s, Object... kv) {
    return ReadAvroFilesTest.rec(s, kv);
  }

  /**
   * A file as another tool writes one: a Parquet schema of logical types, an INT96 column (a
   * legacy timestamp), a column named as Avro names cannot be and a nested one (neither read), no
   * Avro schema stored. Rows 1 and 2 hold the first two of {@code legacy},
   * rows 3.. the rest.
   */
  static void writePlain(Path file, Binary... legacy) throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            """
            message spark_schema {
              required int64 ts (TIMESTAMP(MICROS,true));
              required binary user (STRING);
              optional int32 n;
              optional int96 legacy_time;
              optional binary blob;
              optional double amount-eur;
              optional group nested {
                repeated binary tag (STRING);
              }
            }
            """);
    SimpleGroupFactory rows = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(schema)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .build()) {
      Group first = rows.newGroup().append("ts", 1_767_225_603_000_000L).append("user", "p").append("n", 8);
      Group second = rows.newGroup().append("ts", 1_767_225_604_000_000L).append("user", "q");
      if (legacy.length > 0) {
        first.add("legacy_time", legacy[0]);
      }
      if (legacy.length > 1) {
        second.add("legacy_time", legacy[1]);
      }
      w.write(first);
      w.write(second);
      for (int i = 2; i < legacy.length; i++) {
        w.write(rows.newGroup().append("ts", 1_767_225_605_000_000L).append("user", "r").append("legacy_time", legacy[i]));
      }
      if (legacy.length > 2) {
        w.write(rows.newGroup().append("ts", 1_767_225_606_000_000L).append("user", "s"));
      }
    }
  }

  /** Writes rows of a plain Parquet schema (no Avro schema stored), as tools other than parquet-avro do. */
  static void writeGroups(Path file, MessageType schema, Group... rows) throws Exception {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
      for (Group row : rows) {
        w.write(row);
      }
    }
  }

  /**
   * What a read gave: each record's values and each dead letter by origin without the folder
   * ({@code <file>#<row>}, or the file), and the records themselves.
   */
  record Read(Map<String, String> records, Map<String, DeadLetter> dead, List<SourceRecord> all, Map<String, Long> counters) {}

  static Read read(Pipeline p, SourceDef source, Path dir, LocalDate from, LocalDate to) {
    String box = "parquet-" + System.nanoTime();
    PCollectionTuple read = p.apply(ReadSource.of(source, dir.toString(), from, to));
    read.get(ReadSource.RECORDS).apply("C1", Collected.into(box + "/r"));
    read.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> counters = new TreeMap<>();
    result.metrics()
        .queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("featurepipe")).build())
        .getCounters()
        .forEach(c -> counters.merge(c.getName().getName(), c.getCommitted(), Long::sum));
    List<SourceRecord> all = Collected.get(box + "/r");
    Map<String, String> records = new TreeMap<>();
    all.forEach(r -> records.put(r.origin().replaceAll(".*/", ""), Arrays.deepToString(r.values())));
    Map<String, DeadLetter> dead = new TreeMap<>();
    Collected.<DeadLetter>get(box + "/d").forEach(d -> dead.put(d.origin().replaceAll(".*/", ""), d));
    return new Read(records, dead, all, counters);
  }

  @Test
  void readsOldAndNewSchemasWithEveryCodecAndDeadLettersBadRowsAndFiles(TestPipeline p, @TempDir Path dir)
      throws Exception {
    Schema v1 = ReadAvroFilesTest.V1;
    Schema v2 = ReadAvroFilesTest.V2;
    write(dir.resolve("clicks/2026-01-01-a.parquet"), v1, CompressionCodecName.UNCOMPRESSED,
        rec(v1, "ts", 1_767_225_600_000_001L, "user", "a", "n", 1),
        rec(v1, "ts", 1_767_225_601_000_000L, "user", "b", "n", 2));
    write(dir.resolve("clicks/2026-01-01-b.parquet"), v2, CompressionCodecName.GZIP,
        rec(v2, "ts", "2026-01-01T00:00:02.123456789Z", "user", "c", "n", null, "page", "/x", "extra", 1.0),
        rec(v2, "ts", "yesterday", "user", "d", "n", 4L, "page", null, "extra", 2.0));
    write(dir.resolve("clicks/2026-01-02-c.parquet"), v2, CompressionCodecName.SNAPPY,
        rec(v2, "ts", "2026-01-02T00:00:00Z", "user", "e", "n", 5L, "page", "/y", "extra", 3.0));
    write(dir.resolve("clicks/2026-01-02-d.parquet"), v1, CompressionCodecName.LZ4_RAW,
        rec(v1, "ts", 1_767_312_000_000_000L, "user", "f", "n", 6));
    writePlain(dir.resolve("clicks/2026-01-01-plain.parquet"), int96(2_461_042, 0));
    Schema optional =
        new Schema.Parser()
            .parse(
                """
                {"type":"record","name":"Click","fields":[
                  {"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
                  {"name":"user","type":["null","string"]}]}
                """);
    write(dir.resolve("clicks/2026-01-03-h.parquet"), optional, CompressionCodecName.SNAPPY,
        rec(optional, "ts", 1_767_398_400_000_000L, "user", "h"),
        rec(optional, "ts", 1_767_398_401_000_000L, "user", null),
        rec(optional, "ts", null, "user", "i"));
    Files.writeString(dir.resolve("clicks/2026-01-02-e.parquet"), "not parquet at all");
    // cut short: the footer, at the end, is gone
    write(dir.resolve("clicks/2026-01-03-f.parquet"), v1, CompressionCodecName.SNAPPY,
        rec(v1, "ts", 1_767_398_400_000_000L, "user", "g", "n", 7));
    Path cut = dir.resolve("clicks/2026-01-03-f.parquet");
    byte[] whole = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(whole, whole.length - 20));
    // compressed as a whole: Parquet needs random access to its pages
    Path gz = dir.resolve("clicks/2026-01-03-g.parquet.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(dir.resolve("clicks/2026-01-02-c.parquet")));
    }

    Read read = read(p, source(), dir, LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-03"));
    assertEquals(
        Map.of(
            "2026-01-01-a.parquet#1", "[1767225600000001000, a, 1, null]",
            "2026-01-01-a.parquet#2", "[1767225601000000000, b, 2, null]",
            "2026-01-01-b.parquet#1", "[1767225602123456789, c, null, /x]",
            "2026-01-01-plain.parquet#1", "[1767225603000000000, p, 8, null]",
            "2026-01-01-plain.parquet#2", "[1767225604000000000, q, null, null]",
            "2026-01-02-c.parquet#1", "[1767312000000000000, e, 5, /y]",
            "2026-01-02-d.parquet#1", "[1767312000000000000, f, 6, null]",
            "2026-01-03-h.parquet#1", "[1767398400000000000, h, null, null]"),
        read.records());
    assertEquals(read.records().size(), read.all().size(), "no row twice");
    assertEquals(Map.of("records_read_clicks", 8L, "dead_letters_decode_clicks", 6L), read.counters());
    Map<String, DeadLetter> dead = read.dead();
    dead.values().forEach(d -> assertEquals("ReadParquetFiles/clicks", d.step()));
    assertEquals(6, dead.size(), dead.toString());
    assertEquals("required field 'user' is missing", dead.get("2026-01-03-h.parquet#2").reason());
    assertEquals("required field 'ts' is missing", dead.get("2026-01-03-h.parquet#3").reason());
    DeadLetter badTime = dead.get("2026-01-01-b.parquet#2");
    assertEquals("field 'ts': 'yesterday' is not a iso8601 timestamp", badTime.reason());
    // the columns the definition reads, as JSON
    assertEquals("{\"ts\": \"yesterday\", \"user\": \"d\", \"n\": 4, \"page\": null}", badTime.payload());
    assertTrue(dead.get("2026-01-02-e.parquet").reason().startsWith("not a Parquet file, or cut short"), dead.toString());
    assertTrue(dead.get("2026-01-03-f.parquet").reason().startsWith("not a Parquet file, or cut short"), dead.toString());
    assertEquals("a Parquet file compressed as a whole (gzip) cannot be read: Parquet compresses its own pages,"
        + " so store the file as it was written", dead.get("2026-01-03-g.parquet.gz").reason());
  }

  @Test
  void aDamagedPageIsADeadLetterAfterTheRowsBeforeIt(TestPipeline p, @TempDir Path dir) throws Exception {
    Schema v1 = ReadAvroFilesTest.V1;
    Path file = dir.resolve("clicks/2026-01-01-damaged.parquet");
    Files.createDirectories(file.getParent());
    int rows = 20_000;
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(v1)
            .withConf(new PlainParquetConfiguration())
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withRowGroupSize(64 * 1024L)
            .withPageSize(4 * 1024)
            .withDictionaryEncoding(false)
            .build()) {
      for (int i = 0; i < rows; i++) {
        w.write(rec(v1, "ts", 1_767_225_600_000_000L + i, "user", "user-" + i, "n", i));
      }
    }
    byte[] whole = Files.readAllBytes(file);
    whole[whole.length / 2] ^= 0x55;
    Files.write(file, whole);

    Read read = read(p, source(), dir, null, null);
    List<SourceRecord> good = read.all();
    List<DeadLetter> dead = List.copyOf(read.dead().values());
    assertEquals(1, dead.size(), dead.toString());
    String origin = dead.get(0).origin().replaceAll(".*/", "");
    assertEquals("2026-01-01-damaged.parquet#" + (good.size() + 1), origin);
    assertTrue(dead.get(0).reason().startsWith("corrupt Parquet data after row " + good.size() + ": "), dead.toString());
    assertTrue(good.size() > 0 && good.size() < rows, "rows before the damage: " + good.size());
    for (SourceRecord r : good) {
      int i = Integer.parseInt(r.origin().replaceAll(".*#", "")) - 1;
      assertEquals(1_767_225_600_000_000_000L + i * 1_000L, r.eventTimeNanos(), r.toString());
      assertEquals("user-" + i, r.value(1), r.toString());
      assertEquals((long) i, r.value(2), r.toString());
    }
  }

  /**
   * A file DuckDB 1.4.4 wrote (`src/test/resources/parquet/duckdb-1.4.4.parquet`, 3 rows, no Avro
   * schema): UTC and local microsecond timestamps, local nanosecond ones, a DECIMAL(12,2) on INT64,
   * UINT_32 and UINT_64, text in UTF-8, and a struct and a column named with a space, not read.
   */
  @Test
  void aFileDuckDbWroteReadsAsItsValues(TestPipeline p, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("duck"));
    try (var in = ReadParquetFilesTest.class.getResourceAsStream("/parquet/duckdb-1.4.4.parquet")) {
      Files.copy(in, dir.resolve("duck/2026-01-01.parquet"));
    }
    String def =
        """
        kind: source
        name: duck
        format: parquet
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: local_ts, type: timestamp}
          - {name: ns_ts, type: timestamp}
          - {name: user, type: string}
          - {name: amount, type: double}
          - {name: n, type: int}
          - {name: ok, type: bool}
          - {name: price, type: double}
          - {name: clicks, type: int}
          - {name: big, type: int}
        bounded: {path: "duck/*.parquet"}
        """;
    Read read = read(p, RepositoryLoader.load(Map.of("s.yaml", def)).source("duck"), dir, null, null);
    assertEquals(
        Map.of(
            "2026-01-01.parquet#2", "[1767355200000000000, null, null, \u00fc\u20ac, null, null, null, -0.01, 0, 5]",
            "2026-01-01.parquet#3", "[1767398400000000000, 1767398400000000000, 1767398400000000000, null, -1.0, -3, false, 0.0, 1,"
                + " 9223372036854775807]"),
        read.records(), read.dead().toString());
    assertEquals("field 'big': unsigned value 18000000000000000000 is above the largest int (9223372036854775807)",
        read.dead().get("2026-01-01.parquet#1").reason());
    assertEquals(1, read.dead().size(), read.dead().toString());

    // the first row, without the column it cannot hold
    Read first = read(Pipeline.create(), RepositoryLoader.load(Map.of("s.yaml", def.replace("  - {name: big, type: int}\n", ""))).source("duck"),
        dir, null, null);
    assertEquals("[1767225600000001000, 1767229323500000000, 1767225600123456789, u1, 12.5, 7, true, 123.45, 4000000000]",
        first.records().get("2026-01-01.parquet#1"));
    assertEquals(Map.of(), first.dead());
  }

  /**
   * A file whose pages are compressed with a codec this build cannot decompress (brotli: written by
   * DuckDB 1.4.4, a test resource) is one dead letter naming the column and the codec, found in
   * its footer, not "corrupt data"; the other files are read.
   */
  @Test
  void aCodecThisBuildCannotDecompressIsOneDeadLetterNamingIt(TestPipeline p, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("clicks"));
    try (var in = ReadParquetFilesTest.class.getResourceAsStream("/parquet/duckdb-1.4.4-brotli.parquet")) {
      Files.copy(in, dir.resolve("clicks/2026-01-01-brotli.parquet"));
    }
    Schema v1 = ReadAvroFilesTest.V1;
    write(dir.resolve("clicks/2026-01-01-a.parquet"), v1, CompressionCodecName.SNAPPY,
        rec(v1, "ts", 1_767_225_600_000_000L, "user", "a", "n", 1));
    Read read = read(p, source(), dir, null, null);
    assertEquals(Set.of("2026-01-01-a.parquet#1"), read.records().keySet());
    assertEquals(Set.of("2026-01-01-brotli.parquet"), read.dead().keySet());
    assertEquals("column 'ts' is compressed with BROTLI, which featurepipe cannot decompress (Class"
        + " org.apache.hadoop.io.compress.BrotliCodec was not found): rewrite the file with snappy, gzip, zstd or"
        + " lz4_raw pages", read.dead().get("2026-01-01-brotli.parquet").reason());
  }

  @Test
  void anIncompatibleFileStopsTheBuildNamingFieldAndTypes(@TempDir Path dir) throws Exception {
    Schema changed = ReadAvroFilesTest.INCOMPATIBLE;
    Schema v1 = ReadAvroFilesTest.V1;
    write(dir.resolve("clicks/2026-01-01-a.parquet"), v1, CompressionCodecName.SNAPPY,
        rec(v1, "ts", 0L, "user", "a", "n", 1));
    write(dir.resolve("clicks/2026-01-02-a.parquet"), changed, CompressionCodecName.SNAPPY,
        rec(changed, "ts", 0L, "user", "a", "n", 1.0));
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    SchemaEvolution.IncompatibleSchemaException e =
        assertThrows(
            SchemaEvolution.IncompatibleSchemaException.class,
            () -> p.apply(ReadSource.of(source(), dir.toString(), null, null)));
    assertTrue(e.getMessage().contains("2026-01-02-a.parquet was written with a schema"), e.getMessage());
    assertTrue(e.getMessage().contains("field 'n' changed type: written as double, read as [null,long]"), e.getMessage());
    // Parquet writers mark columns optional whatever they hold: a null is checked row by row
    assertEquals(1, e.changes().size(), e.getMessage());
  }

  /**
   * A column named in another case than the definition's field (a file without a stored Avro
   * schema, whose columns are matched by name) stops the build: read as named, the field would be
   * null in every row.
   */
  @Test
  void aColumnNamedInAnotherCaseStopsTheBuild(@TempDir Path dir) throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message m { required int64 ts (TIMESTAMP(MICROS,true)); required binary user (STRING); optional int32 N; }");
    writeGroups(dir.resolve("clicks/2026-01-01-a.parquet"), schema,
        new SimpleGroupFactory(schema).newGroup().append("ts", 1_767_225_603_000_000L).append("user", "p").append("N", 8));
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    SchemaEvolution.IncompatibleSchemaException e =
        assertThrows(
            SchemaEvolution.IncompatibleSchemaException.class,
            () -> p.apply(ReadSource.of(source(), dir.toString(), null, null)));
    assertTrue(e.getMessage().contains("2026-01-01-a.parquet was written with a schema"), e.getMessage());
    assertTrue(e.getMessage().contains("field 'n' is absent from the data, which has field 'N' instead"), e.getMessage());

    // a file naming the column both ways reads the exact one; the other is not even looked at
    MessageType bothSchema = MessageTypeParser.parseMessageType("message m { required int64 ts (TIMESTAMP(MICROS,true));"
        + " required binary user (STRING); optional int32 n; optional group N { optional int32 x; } }");
    Group row = new SimpleGroupFactory(bothSchema).newGroup().append("ts", 1_767_225_603_000_000L).append("user", "p").append("n", 7);
    row.addGroup("N").append("x", 1);
    writeGroups(dir.resolve("both/clicks/2026-01-01-b.parquet"), bothSchema, row);
    Read read = read(Pipeline.create(), source(), dir.resolve("both"), null, null);
    assertEquals(Map.of("2026-01-01-b.parquet#1", "[1767225603000000000, p, 7, null]"), read.records(), read.dead().toString());
  }

  @Test
  void int96TimestampsAsSparkAndHiveWroteThemAreReadToTheNanosecond(TestPipeline p, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("clicks/2026-01-01-legacy.parquet");
    Files.createDirectories(file.getParent());
    // 2026-01-01 is Julian day 2,461,042 (2,440,588 + 20,454 days after 1970-01-01)
    writePlain(file,
        int96(2_461_042, 5_123_456_789L),
        int96(2_440_587, 86_399_999_999_999L),
        int96(2_461_042, 86_400_000_000_000L),
        int96(5_373_484, 0)); // 9999-12-31, a common "valid to" sentinel: past the nanosecond range
    SourceDef legacy =
        RepositoryLoader.load(Map.of("s.yaml", DEF.replace("name: page, type: string", "name: legacy_time, type: timestamp")))
            .source("clicks");
    Read read = read(p, legacy, dir, null, null);
    assertEquals(
        Map.of(
            "2026-01-01-legacy.parquet#1", "[1767225603000000000, p, 8, 1767225605123456789]",
            "2026-01-01-legacy.parquet#2", "[1767225604000000000, q, null, -1]",
            "2026-01-01-legacy.parquet#5", "[1767225606000000000, s, null, null]"),
        read.records(), read.dead().toString());
    assertEquals(3, read.all().size(), "no row twice");
    assertEquals(List.of("2026-01-01-legacy.parquet#3", "2026-01-01-legacy.parquet#4"), List.copyOf(read.dead().keySet()));
    assertEquals("field 'legacy_time': INT96 value of Julian day 2461042 holds 86400000000000 nanoseconds of the day,"
        + " not a time of day", read.dead().get("2026-01-01-legacy.parquet#3").reason());
    // the row after it is read: a bad value is one row's dead letter, never the rest of the file's
    assertEquals("field 'legacy_time' is '9999-12-31T00:00:00Z', not a timestamp in range (1677-09-21 to 2262-04-11,"
        + " as nanoseconds hold)", read.dead().get("2026-01-01-legacy.parquet#4").reason());
  }

  @Test
  void anInt96ColumnReadAsAnythingButATimestampIsRefusedBeforeTheRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("clicks/2026-01-01-legacy.parquet");
    Files.createDirectories(file.getParent());
    writePlain(file, int96(2_461_042, 0));
    for (String type : new String[] {"string", "int", "double"}) {
      SourceDef other =
          RepositoryLoader.load(Map.of("s.yaml", DEF.replace("name: page, type: string", "name: legacy_time, type: " + type)))
              .source("clicks");
      TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> p.apply(ReadSource.of(other, dir.toString(), null, null)));
      assertTrue(e.getMessage().contains("2026-01-01-legacy.parquet: column 'legacy_time' holds timestamps (Parquet int96)"
          + " but the definition reads it as " + type), e.getMessage());
    }
  }

  /**
   * Columns parquet-avro hands over in another form than what they hold: nanosecond timestamps
   * (pandas' default), decimals stored as integers or bytes, unsigned integers.
   */
  @Test
  void nanosecondTimesDecimalsAndUnsignedIntegersAreReadAsWhatTheyHold(TestPipeline p, @TempDir Path dir) throws Exception {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            """
            message pandas {
              required int64 ts (TIMESTAMP(NANOS,true));
              required binary user (STRING);
              optional int64 amount (DECIMAL(12,2));
              optional binary fee (DECIMAL(20,4));
              optional int32 clicks (INTEGER(32,false));
              optional int64 big (INTEGER(64,false));
              optional int32 day (DATE);
            }
            """);
    SimpleGroupFactory rows = new SimpleGroupFactory(schema);
    Group g = rows.newGroup().append("ts", 1_767_225_600_000_000_001L).append("user", "a").append("amount", 12_345L)
        .append("clicks", -1).append("big", 5L);
    g.add("fee", Binary.fromConstantByteArray(BigInteger.valueOf(-1_234_567).toByteArray()));
    writeGroups(dir.resolve("clicks/2026-01-01-pandas.parquet"), schema, g,
        rows.newGroup().append("ts", 1_767_225_601_000_000_000L).append("user", "b").append("big", -1L),
        rows.newGroup().append("ts", 1_767_225_602_000_000_000L).append("user", "c").append("amount", 1L));
    String def =
        """
        kind: source
        name: clicks
        format: parquet
        timestamp: ts
        timestamp_format: iso8601
        fields:
          - {name: ts, type: timestamp, required: true}
          - {name: user, type: string, required: true}
          - {name: amount, type: double}
          - {name: fee, type: double}
          - {name: clicks, type: int}
          - {name: big, type: int}
        bounded: {path: "clicks/*.parquet"}
        """;
    Read read = read(p, RepositoryLoader.load(Map.of("s.yaml", def)).source("clicks"), dir, null, null);
    assertEquals(
        Map.of(
            "2026-01-01-pandas.parquet#1", "[1767225600000000001, a, 123.45, -123.4567, 4294967295, 5]",
            "2026-01-01-pandas.parquet#3", "[1767225602000000000, c, 0.01, null, null, null]"),
        read.records(), read.dead().toString());
    assertEquals(List.of("2026-01-01-pandas.parquet#2"), List.copyOf(read.dead().keySet()));
    assertEquals("field 'big': unsigned value 18446744073709551615 is above the largest int (9223372036854775807)",
        read.dead().get("2026-01-01-pandas.parquet#2").reason());

    // a date is no instant: refused before the run, whatever the format
    SourceDef dates =
        RepositoryLoader.load(Map.of("s.yaml", def.replace("name: big, type: int}", "name: big, type: int}\n  - {name: day, type: timestamp}")))
            .source("clicks");
    TestPipeline q = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    SchemaEvolution.IncompatibleSchemaException e =
        assertThrows(SchemaEvolution.IncompatibleSchemaException.class, () -> q.apply(ReadSource.of(dates, dir.toString(), null, null)));
    assertTrue(e.getMessage().contains("field 'day' is a date in the data, not an instant"), e.getMessage());
  }

  static Binary int96(int julianDay, long nanosOfDay) {
    return Binary.fromConstantByteArray(
        ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(nanosOfDay).putInt(julianDay).array());
  }
}
