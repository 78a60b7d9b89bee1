package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.training.FeatureSelection;
import io.featurepipe.sinks.training.SpineRow;
import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spine columns and types per format, and the reasons bad spine rows are refused. */
class SpineLayoutTest {
  static final FeatureRepository REPO = OfflineFixture.load(ReferenceTrainingSetTest.DEFS);
  static final FeatureSelection SELECTION = FeatureSelection.parse(REPO, "user_activity:n_2h,shop_activity:n_1h");

  static String type(SpineLayout l, String column) {
    return l.schema().getField(column).schema().toString();
  }

  @Test
  void csvColumnsAreStringsUnlessDeclaredAndKeysTakeTheirEntityType(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("s.csv"), "user,shop_id,t,label,w\nu1,3,2026-03-02T10:00:00Z,1,0.5\n");
    SpineLayout l = SpineLayout.inspect(
        SpineSource.of(f.toString(), "t").withColumnTypes(SpineSource.parseColumnTypes("label:bool,w:double")), SELECTION);
    assertEquals(SpineFormat.CSV, l.format());
    assertEquals("\"string\"", type(l, "user"));
    assertEquals("\"long\"", type(l, "shop_id"));
    assertEquals("\"string\"", type(l, "t"));
    assertEquals("[\"null\",\"boolean\"]", type(l, "label"));
    assertEquals("[\"null\",\"double\"]", type(l, "w"));
    SpineDecoder d = new SpineDecoder(l, SELECTION.keyColumns());
    List<String> header = List.of("user", "shop_id", "t", "label", "w");
    SpineRow row = d.fromCsv("u1,3,2026-03-02T10:00:00Z,TRUE,", header, 7, "s.csv:2");
    assertEquals(List.of("u1", 3L), row.keys());
    assertEquals(1_772_445_600_000_000_000L, row.timeNanos());
    assertEquals("column 'label' is 'maybe', not true or false", reason(() -> d.fromCsv("u1,3,2026-03-02T10:00:00Z,maybe,", header, 8, "")));
    assertEquals("column 'shop_id' is 'x3', not an integer", reason(() -> d.fromCsv("u1,x3,2026-03-02T10:00:00Z,,", header, 8, "")));
    assertEquals("has 4 columns where the header has 5", reason(() -> d.fromCsv("u1,3,2026-03-02T10:00:00Z,", header, 8, "")));
    assertEquals("timestamp column 't' is empty", reason(() -> d.fromCsv("u1,3,,,", header, 8, "")));
    // a string the training set's Avro (UTF-8) cannot hold is a dead letter, as in the sources
    assertTrue(reason(() -> d.fromCsv("u\udc00,3,2026-03-02T10:00:00Z,,", header, 8, ""))
        .startsWith("column 'user' is 'u\\udc00', which holds an unpaired surrogate (\\udc00 at character 2)"));
  }

  @Test
  void jsonColumnsAreTypedFromTheirValues(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("s.jsonl"),
        "{\"user\":\"u1\",\"shop_id\":3,\"t\":\"2026-03-02T10:00:00Z\",\"n\":1,\"mixed\":1,\"obj\":{\"a\":[1]},\"none\":null}\n"
            + "{\"user\":\"u2\",\"shop_id\":\"4\",\"t\":1772445600000,\"n\":2.5,\"mixed\":\"a\",\"ok\":true}\n");
    SpineLayout l = SpineLayout.inspect(SpineSource.of(f.toString(), "t"), SELECTION);
    assertEquals("\"long\"", type(l, "shop_id"));
    assertEquals("[\"null\",\"double\"]", type(l, "n"));
    assertEquals("[\"null\",\"string\"]", type(l, "mixed"));
    assertEquals("[\"null\",\"string\"]", type(l, "obj"));
    assertEquals("[\"null\",\"string\"]", type(l, "none"));
    assertEquals("[\"null\",\"boolean\"]", type(l, "ok"));
    SpineDecoder d = new SpineDecoder(l, SELECTION.keyColumns());
    SpineRow row = d.fromJson("{\"user\":\"u2\",\"shop_id\":\"4\",\"t\":1772445600000,\"mixed\":2}", 3, "");
    assertEquals(List.of("u2", 4L), row.keys());
    assertTrue(reason(() -> d.fromJson("{\"user\":\"u2\",\"shop_id\":4,\"t\":\"2026-03-02T10:00:00Z\",\"late\":1}", 4, ""))
        .startsWith("has column 'late', which is not among the spine's columns"));
    assertEquals("key column 'user' is empty", reason(() -> d.fromJson("{\"shop_id\":4,\"t\":\"2026-03-02T10:00:00Z\"}", 4, "")));
    assertTrue(reason(() -> d.fromJson("{\"user\":\"u2\",\"shop_id\":4,\"t\":1772445600000,\"mixed\":\"\\ud800\"}", 6, ""))
        .startsWith("column 'mixed' is '\\ud800', which holds an unpaired surrogate"));
    assertTrue(reason(() -> d.fromJson("{\"user\":\"u2\",\"shop_id\":4,\"t\":1772445600000,\"obj\":{\"a\":\"\\ud800\"}}", 6, ""))
        .startsWith("column 'obj' is '{\"a\":\"\\ud800\"}', which holds an unpaired surrogate"));
    assertTrue(reason(() -> d.fromJson("{\"user\":", 4, "")).startsWith("not valid JSON"));
    // two rows run together on one line: a dead letter, not the first row alone
    assertEquals("not valid JSON: more after the object",
        reason(() -> d.fromJson("{\"user\":\"u2\",\"shop_id\":4,\"t\":1772445600000}{\"user\":\"u3\"}", 5, "")));
  }

  @Test
  void avroSpinesKeepTheirSchemaAndLogicalTimes(@TempDir Path dir) throws Exception {
    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema = SchemaBuilder.record("labels").fields()
        .optionalString("user").requiredInt("shop_id").name("t").type(micros).noDefault()
        .name("tags").type().array().items().stringType().noDefault()
        .endRecord();
    Path f = dir.resolve("s.avro");
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, f.toFile());
      GenericRecord r = new GenericData.Record(schema);
      r.put("user", "u1");
      r.put("shop_id", 3);
      r.put("t", 1_772_445_600_000_001L);
      r.put("tags", List.of("a", "b"));
      w.append(r);
    }
    SpineLayout l = SpineLayout.inspect(SpineSource.of(f.toString(), "t"), SELECTION);
    assertEquals(schema, l.schema());
    GenericRecord r = new GenericData.Record(schema);
    r.put("user", null);
    r.put("shop_id", 3);
    r.put("t", 1_772_445_600_000_001L);
    r.put("tags", List.of());
    SpineDecoder d = new SpineDecoder(l, SELECTION.keyColumns());
    assertEquals("key column 'user' is empty", reason(() -> d.fromAvro(r, 1, "")));
    r.put("user", "u1");
    SpineRow row = d.fromAvro(r, 1, "");
    assertEquals(List.of("u1", 3L), row.keys());
    assertEquals(1_772_445_600_000_001_000L, row.timeNanos());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SpineLayout.inspect(SpineSource.of(f.toString(), "t").withColumnTypes(SpineSource.parseColumnTypes("user:int")), SELECTION))
        .getMessage().contains("carries its own column types"));
  }

  @Test
  void problemsFoundBeforeRunningNameTheFileAndColumn(@TempDir Path dir) throws Exception {
    Path noTime = Files.writeString(dir.resolve("a.csv"), "user,shop_id,when\nu1,3,x\n");
    assertTrue(message(() -> SpineLayout.inspect(SpineSource.of(noTime.toString(), "t"), SELECTION))
        .contains("has no timestamp column 't'; its columns: user, shop_id, when"));
    Path badName = Files.writeString(dir.resolve("b.csv"), "user,shop_id,t,is-fraud\n");
    assertTrue(message(() -> SpineLayout.inspect(SpineSource.of(badName.toString(), "t"), SELECTION))
        .contains("column name 'is-fraud' cannot be an Avro field name"));
    assertTrue(message(() -> SpineLayout.inspect(SpineSource.of(dir.resolve("none*.csv").toString(), "t"), SELECTION))
        .contains("no spine file matches"));
    Path txt = Files.writeString(dir.resolve("c.txt"), "x\n");
    assertTrue(message(() -> SpineLayout.inspect(SpineSource.of(txt.toString(), "t"), SELECTION)).contains("cannot tell the format"));
  }

  @Test
  void parquetSpinesTakeTheirColumnsFromTheFirstFileAndInt96TimesToTheMicrosecond(@TempDir Path dir) throws Exception {
    long t = 1_772_445_600_000_001_000L;
    List<long[]> rows = List.of(new long[] {t, 3}, new long[] {t + 1, 3});
    List<String> users = List.of("u1", "u2");
    Path first = dir.resolve("a.parquet");
    ParquetSpines.write(first, rows, users, 0, 2);
    SpineLayout l = SpineLayout.inspect(SpineSource.of(first.toString(), "t"), SELECTION);
    assertEquals(SpineFormat.PARQUET, l.format());
    assertEquals("[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}]", type(l, "t"));
    assertEquals("[\"null\",\"string\"]", type(l, "user"));
    assertEquals("[\"null\",\"long\"]", type(l, "shop_id"));
    SpineDecoder d = new SpineDecoder(l, SELECTION.keyColumns());
    List<String> seen = new java.util.ArrayList<>();
    io.featurepipe.pipelines.ingest.parquet.ParquetRows.read(first.toString(), (n, r, problem, raw) -> {
      try {
        seen.add(problem != null ? n + " " + problem.getMessage() : n + " " + d.fromAvro(r, n, "").timeNanos());
      } catch (BadRecordException e) {
        seen.add(n + " " + e.getMessage());
      }
    });
    assertEquals(List.of("1 " + t, "2 column 't': 2026-03-02T10:00:00.000001001Z is finer than a microsecond,"
        + " which a spine's timestamp columns keep"), seen);

    Path other = dir.resolve("b.parquet");
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> w =
        org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.parquet.io.LocalOutputFile(other))
            .withType(org.apache.parquet.schema.MessageTypeParser.parseMessageType(
                "message m { optional binary user (STRING); optional int32 shop_id; optional int96 t; }"))
            .build()) {
      // no rows: the columns alone are compared
    }
    assertTrue(message(() -> SpineLayout.inspect(SpineSource.of(dir.resolve("*.parquet").toString(), "t"), SELECTION))
        .contains("have different columns"));
    assertTrue(message(() -> SpineLayout.inspect(
            SpineSource.of(first.toString(), "t").withColumnTypes(SpineSource.parseColumnTypes("user:int")), SELECTION))
        .contains("a Parquet spine carries its own column types"));

    // pages of a codec this build cannot decompress: refused before the run naming it, and by the
    // read too (a file appearing later), not as corrupt data
    Path brotli = dir.resolve("brotli/s.parquet");
    Files.createDirectories(brotli.getParent());
    try (var in = SpineLayoutTest.class.getResourceAsStream("/parquet/duckdb-1.4.4-brotli.parquet")) {
      Files.copy(in, brotli);
    }
    String why = "s.parquet: column 'ts' is compressed with BROTLI, which featurepipe cannot decompress (Class"
        + " org.apache.hadoop.io.compress.BrotliCodec was not found): rewrite the file with snappy, gzip, zstd or lz4_raw pages";
    java.io.UncheckedIOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
        () -> SpineLayout.inspect(SpineSource.of(brotli.toString(), "ts"), SELECTION));
    assertTrue(refused.getMessage().endsWith(why), refused.getMessage()); // what the command line shows
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> io.featurepipe.pipelines.ingest.parquet.ParquetRows.read(brotli.toString(), (n, r, problem, raw) -> {}));
    assertTrue(e.getMessage().endsWith(why), e.getMessage());
  }

  interface Call {
    Object run() throws Exception;
  }

  static String reason(Call c) {
    return assertThrows(BadRecordException.class, c::run).getMessage();
  }

  static String message(Call c) {
    return assertThrows(IllegalArgumentException.class, c::run).getMessage();
  }
}
