package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.sinks.training.TrainingFormat;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;

/**
 * DESIGN §3 at its edges, events → ComputeFeatures → WriteOffline → training set, every expected
 * value worked out by hand: events exactly at and one microsecond after a spine time never reach
 * it, window edges (hop boundaries, ttl of window-less features, one nanosecond either side),
 * availability delay, full-precision spine times with offsets, keys the store never saw (empty
 * values), colliding feature names, spine dead letters and an unpublished partition.
 */
class PointInTimeLeakageTest {
  static final String DEFS =
      """
      kind: source
      name: events
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: shop, type: string, required: true}
        - {name: amount, type: double}
      bounded: {path: "events/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: entity
      name: shop
      keys: [{name: shop, type: string}]
      ---
      kind: feature_group
      name: user_hourly
      entity: user
      source: events
      keys: {user: user}
      hop: 1h
      ttl: 3h
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: sum_2h, agg: sum, column: amount, window: 2h}
        - {name: max_1h, agg: max, column: amount, window: 1h}
        - {name: last2_1h, agg: last_k(2), column: amount, window: 1h}
        - {name: last_amount, agg: last, column: amount}
        - {name: n_ttl, agg: count}
      ---
      kind: feature_group
      name: shop_delayed
      entity: shop
      source: events
      keys: {shop: shop}
      hop: 1h
      ttl: 1h
      availability_delay: 2m
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: users_1h, agg: approx_count_distinct, column: user}
      """;

  static final String DAY = "2026-03-02T";
  static FeatureRepository repo;
  static Path offline;

  static long t(String time) {
    Instant i = Instant.parse(DAY + time + "Z");
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  static SourceRecord event(String time, String user, String shop, Double amount) {
    return new SourceRecord("events", t(time), new Object[] {t(time), user, shop, amount}, "");
  }

  @BeforeAll
  static void backfill(@TempDir Path dir) {
    repo = OfflineFixture.load(DEFS);
    offline = dir.resolve("offline");
    List<SourceRecord> events =
        List.of(
            event("06:59:59.999999999", "a", "s1", 100.0), // 1 ns before the ttl window of e=10:00
            event("07:00:00", "a", "s1", 1.0), // first instant of that ttl window
            event("09:00:00", "a", "s1", 2.0),
            event("09:30:00", "b", "s1", null),
            event("09:59:59.999999", "a", "s1", 3.0),
            event("10:00:00", "a", "s1", 4.0), // exactly at spine time 10:00: not in its row
            event("10:30:00", "a", "s1", 7.0), // exactly at spine time 10:30
            event("10:30:00.000001", "a", "s1", 6.0), // 1 µs after spine time 10:30
            event("10:59:59.999999", "a", "s1", 9.0),
            event("11:00:00", "a", "s1", 8.0), // exactly at spine time 11:00
            event("11:00:00.000001", "a", "s1", 10.0)); // 1 µs after spine time 11:00
    LocalDate d = LocalDate.parse("2026-03-02");
    OfflineFixture.backfill(repo, "events", events, offline.toString(), d, d);
  }

  static final String SPINE =
      """
      row,user,shop,ts,label
      r1,a,s1,2026-03-02T10:00:00Z,1
      r2,a,s1,2026-03-02T10:30:00.000000Z,0
      r3,a,s1,2026-03-02T12:00:00+01:00,1
      r4,a,s1,2026-03-02T10:59:59.999999999Z,0
      r5,a,s1,2026-03-02T14:00:00Z,
      r6,a,s1,2026-03-02T13:00:00Z,0
      r7,a,s1,2026-03-02T15:00:00Z,0
      r8,zz,nope,2026-03-02T12:00:00Z,0
      d1,a,s1,2026-03-02T10:01:59.999999Z,0
      d2,a,s1,2026-03-02T10:02:00Z,0
      m1,a,s1,1772445600000,0
      bad1,,s1,2026-03-02T10:00:00Z,0
      bad2,a,s1,yesterday,0
      bad3,a,s1,1772445600,0
      bad4,a,s1,2026-03-02T10:00:00Z,notanint
      """;

  static Map<String, GenericRecord> byRow(List<GenericRecord> records) {
    Map<String, GenericRecord> out = new HashMap<>();
    records.forEach(r -> out.put(r.get("row").toString(), r));
    return out;
  }

  static TrainingSet.Built build(Pipeline p, Path spine, Path out) {
    SpineSource source =
        SpineSource.of(spine.toString(), "ts").withColumnTypes(SpineSource.parseColumnTypes("label:int"));
    return TrainingSet.build(
        p, TrainingSet.Spec.of(repo, source, "user_hourly:*,shop_delayed:*", offline.toString(), out.toString()));
  }

  @Test
  void valuesAreExactlyTheRowAtTheWindowEndAsOfEachSpineTime(@TempDir Path dir) throws Exception {
    Path spine = dir.resolve("spine.csv");
    Files.writeString(spine, SPINE);
    Pipeline p = OfflineFixture.direct();
    TrainingSet.Built built = build(p, spine, dir.resolve("out"));
    PipelineResult result = OfflineFixture.run(p);
    Map<String, GenericRecord> rows = byRow(OfflineFixture.readTrainingSet(dir.resolve("out").toString()));

    assertEquals(11, rows.size(), "one row per good spine row: " + rows.keySet());
    // e = 10:00: 1h [09:00,10:00) = {2, 3}; 2h [08:00,10:00) = {2, 3}; ttl [07:00,10:00) = {1, 2, 3}
    // The event at exactly 10:00 (4.0) and the one 1 ns before 07:00 (100.0) are out.
    expectUser(rows.get("r1"), 2, 5.0, 3.0, List.of(3.0, 2.0), 3.0, 3);
    // t = 10:30: e = 10:00 still; the events at 10:30:00 and 10:30:00.000001 are not there.
    expectUser(rows.get("r2"), 2, 5.0, 3.0, List.of(3.0, 2.0), 3.0, 3);
    // t = 12:00+01:00 = 11:00Z exactly: e = 11:00: 1h [10:00,11:00) = {4, 7, 6, 9}; ttl [08:00,11:00)
    // adds {2, 3}; 8 at 11:00 exactly and 10 at 11:00:00.000001 are out.
    expectUser(rows.get("r3"), 4, 2 + 3 + 4 + 7 + 6 + 9.0, 9.0, List.of(9.0, 6.0), 9.0, 6);
    // t = 10:59:59.999999999: e = 10:00 (the spine time is not rounded up to 11:00)
    expectUser(rows.get("r4"), 2, 5.0, 3.0, List.of(3.0, 2.0), 3.0, 3);
    // e = 14:00: ttl [11:00,14:00) = {8 (at 11:00 exactly), 10}; the 1h and 2h windows are empty
    expectUser(rows.get("r5"), 0, 0.0, null, List.of(), 10.0, 2);
    assertNull(rows.get("r5").get("label"), "an empty CSV field is null");
    // e = 13:00: ttl [10:00,13:00) = {4, 7, 6, 9, 8, 10}; 1h [12:00,13:00) empty
    expectUser(rows.get("r6"), 0, 18.0, null, List.of(), 10.0, 6);
    // e = 15:00: ttl [12:00,15:00) is empty: no offline row, the empty values
    expectUser(rows.get("r7"), 0, 0.0, null, List.of(), null, 0);
    // keys the store never saw: empty values of both groups
    expectUser(rows.get("r8"), 0, 0.0, null, List.of(), null, 0);
    expectShop(rows.get("r8"), 0, 0);
    // availability delay 2m: at 10:01:59.999999 the shop's 10:00 window is not yet visible (e = 09:00) ...
    expectShop(rows.get("d1"), 0, 0);
    expectUser(rows.get("d1"), 2, 5.0, 3.0, List.of(3.0, 2.0), 3.0, 3);
    // ... at 10:02:00 it is: [09:00,10:00) = a at 9:00, b at 9:30, a at 9:59:59.999999
    expectShop(rows.get("d2"), 3, 2);
    // integer spine times are epoch millis: 1772445600000 = 10:00Z
    expectUser(rows.get("m1"), 2, 5.0, 3.0, List.of(3.0, 2.0), 3.0, 3);
    assertEquals("1772445600000", rows.get("m1").get("ts").toString(), "the spine time is carried as written");

    // spine columns carried with their types, then features; colliding names qualified
    Schema schema = built.schema().schema();
    List<String> names = new ArrayList<>();
    schema.getFields().forEach(f -> names.add(f.name()));
    assertEquals(
        List.of("row", "user", "shop", "ts", "label", "user_hourly__n_1h", "sum_2h", "max_1h", "last2_1h",
            "last_amount", "n_ttl", "shop_delayed__n_1h", "users_1h"),
        names);
    assertEquals(1L, rows.get("r1").get("label"));
    assertEquals(schema, new Schema.Parser().parse(dir.resolve("out/training.avsc").toFile()));
    JsonNode features = new ObjectMapper().readTree(dir.resolve("out/features.json").toFile());
    assertEquals("ts", features.get("spine_timestamp").asText());
    JsonNode ttl = features.get("features").get(5);
    assertEquals("n_ttl", ttl.get("column").asText());
    assertEquals("user_hourly", ttl.get("group").asText());
    assertEquals(repo.group("user_hourly").version(), ttl.get("version").asText());
    assertEquals("count", ttl.get("aggregation").asText());
    assertEquals("3h", ttl.get("window").asText());
    assertTrue(ttl.get("window_is_ttl").asBoolean());
    assertEquals("int", ttl.get("type").asText());

    // bad spine rows: dead letters with file:line and the reason, counted
    Map<String, String> reasons = deadLetters(dir.resolve("out/dead-letters"));
    assertEquals(4, reasons.size(), reasons.toString());
    assertEquals("key column 'user' is empty", reasons.get(spine + ":13"));
    assertTrue(reasons.get(spine + ":14").startsWith("timestamp column 'ts' is 'yesterday', not an ISO-8601"), reasons.toString());
    assertTrue(reasons.get(spine + ":15").contains("it looks like epoch_seconds"), reasons.toString());
    assertEquals("column 'label' is 'notanint', not an integer", reasons.get(spine + ":16"));
    TrainingSetSummary summary = built.summarize(result);
    assertEquals(11, summary.spineRows());
    assertEquals(4, summary.deadLetters());
    assertEquals(11, summary.rowsWritten());
    assertEquals(2, summary.partitionsRead(), "the one date needed, of each group");
  }

  static void expectUser(
      GenericRecord r, long n1h, Double sum2h, Double max1h, List<Double> last2, Double last, long nTtl) {
    String row = r.get("row").toString();
    assertEquals(n1h, r.get("user_hourly__n_1h"), row + " n_1h");
    assertEquals(sum2h, r.get("sum_2h"), row + " sum_2h");
    assertEquals(max1h, r.get("max_1h"), row + " max_1h");
    assertEquals(last2, new ArrayList<>((List<?>) r.get("last2_1h")), row + " last2_1h");
    assertEquals(last, r.get("last_amount"), row + " last_amount");
    assertEquals(nTtl, r.get("n_ttl"), row + " n_ttl");
  }

  static void expectShop(GenericRecord r, long n, long users) {
    String row = r.get("row").toString();
    assertEquals(n, r.get("shop_delayed__n_1h"), row + " shop n_1h");
    assertEquals(users, r.get("users_1h"), row + " users_1h");
  }

  @Test
  void tfRecordFilesHoldTheSameRowsAsTfExamples(@TempDir Path dir) throws Exception {
    Path spine = dir.resolve("spine.csv");
    Files.writeString(spine, SPINE);
    Pipeline p = OfflineFixture.direct();
    SpineSource source =
        SpineSource.of(spine.toString(), "ts").withColumnTypes(SpineSource.parseColumnTypes("label:int"));
    Path out = dir.resolve("out");
    TrainingSet.Built built =
        TrainingSet.build(
            p,
            TrainingSet.Spec.of(repo, source, "user_hourly:*,shop_delayed:*", offline.toString(), out.toString())
                .withFormat(TrainingFormat.TFRECORD));
    OfflineFixture.run(p);
    assertTrue(built.dataFiles().endsWith("part-*.tfrecord"), built.dataFiles());

    Map<String, Map<String, Feature>> rows = new HashMap<>();
    for (Example e : readTfRecords(out)) {
      Map<String, Feature> f = e.getFeatures().getFeatureMap();
      rows.put(f.get("row").getBytesList().getValue(0).toStringUtf8(), f);
    }
    assertEquals(11, rows.size(), rows.keySet().toString());
    Map<String, Feature> r1 = rows.get("r1");
    assertEquals(List.of(2L), r1.get("user_hourly__n_1h").getInt64List().getValueList());
    assertEquals(List.of(5.0f), r1.get("sum_2h").getFloatList().getValueList());
    assertEquals(List.of(3.0f), r1.get("max_1h").getFloatList().getValueList());
    assertEquals(List.of(3.0f, 2.0f), r1.get("last2_1h").getFloatList().getValueList());
    assertEquals(List.of(3L), r1.get("n_ttl").getInt64List().getValueList());
    assertEquals(List.of(1L), r1.get("label").getInt64List().getValueList());
    assertEquals("2026-03-02T10:00:00Z", r1.get("ts").getBytesList().getValue(0).toStringUtf8());
    // empty windows: null values are absent features, an empty list is an empty list
    Map<String, Feature> r5 = rows.get("r5");
    assertFalse(r5.containsKey("max_1h"), "a null is an absent feature");
    assertFalse(r5.containsKey("label"), "an empty CSV field is absent");
    assertEquals(0, r5.get("last2_1h").getFloatList().getValueCount());
    assertEquals(List.of(2L), r5.get("n_ttl").getInt64List().getValueList());
    assertEquals(List.of(3L), rows.get("d2").get("shop_delayed__n_1h").getInt64List().getValueList());
    // the schema and the feature list are written beside the records, as for Avro
    assertEquals(built.schema().schema(), new Schema.Parser().parse(out.resolve("training.avsc").toFile()));
    assertTrue(Files.exists(out.resolve("features.json")));
  }

  /**
   * The records of the TFRecord files in a folder, read by the format's framing (TensorFlow's
   * record_writer: length as little-endian uint64, its masked CRC32C, the data, the data's masked
   * CRC32C), independently of the writer.
   */
  static List<Example> readTfRecords(Path dir) throws java.io.IOException {
    List<Example> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.getFileName().toString().matches("part-\\d+\\.tfrecord")).sorted().toList()) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(f)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
          int length = (int) b.getLong();
          b.getInt();
          byte[] data = new byte[length];
          b.get(data);
          b.getInt();
          out.add(Example.parseFrom(data));
        }
      }
    }
    return out;
  }

  static Map<String, String> deadLetters(Path dir) throws Exception {
    Map<String, String> out = new HashMap<>();
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode n = json.readTree(line);
          assertEquals("spine", n.get("source").asText());
          assertEquals("ReadSpine", n.get("step").asText());
          out.put(n.get("origin").asText(), n.get("reason").asText());
        }
      }
    }
    return out;
  }

  @Test
  void aSpineTimeWhosePartitionIsNotPublishedFailsTheRunNamingIt(@TempDir Path dir) throws Exception {
    Path spine = dir.resolve("spine.csv");
    Files.writeString(spine, "row,user,shop,ts,label\nr1,a,s1,2026-03-03T10:00:00Z,1\n");
    Pipeline p = OfflineFixture.direct();
    build(p, spine, dir.resolve("out"));
    Exception e = assertThrows(Exception.class, () -> OfflineFixture.run(p));
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof IllegalStateException)) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().contains("date=2026-03-03 is not published"), root.getMessage());
    assertTrue(root.getMessage().contains("backfill --from 2026-03-03 --to 2026-03-03"), root.getMessage());
  }

  @Test
  void aSpineWithoutTheKeysOfAnEntityAskedForIsRefusedBeforeRunning(@TempDir Path dir) throws Exception {
    Path spine = dir.resolve("spine.csv");
    Files.writeString(spine, "row,user,ts\nr1,a,2026-03-02T10:00:00Z\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> build(OfflineFixture.direct(), spine, dir.resolve("out")));
    assertTrue(e.getMessage().contains("has no column 'shop', a key of entity 'shop' (group shop_delayed)"), e.getMessage());
  }
}
