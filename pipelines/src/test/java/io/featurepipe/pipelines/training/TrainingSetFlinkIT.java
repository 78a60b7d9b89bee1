package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.record.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training-set pipeline on the Flink runner (embedded mini-cluster, parallelism 2), from an
 * Avro spine with a {@code timestamp-micros} time, equals the DirectRunner's output record for
 * record, over an offline store backfilled from the leakage test's events. With a hot-key threshold
 * of 5 every bucket (group, key, date) is hot, so both runners spread them (salts and the side input).
 */
class TrainingSetFlinkIT {

  @Test
  void flinkAndDirectWriteTheSameTrainingSet(@TempDir Path dir) throws Exception {
    var repo = OfflineFixture.load(PointInTimeLeakageTest.DEFS);
    String offline = dir.resolve("offline").toString();
    List<SourceRecord> events = new ArrayList<>();
    String[] times = {"07:00:00", "09:00:00", "09:30:00", "09:59:59.999999", "10:00:00", "10:30:00.000001", "11:00:00"};
    for (int i = 0; i < times.length; i++) {
      events.add(PointInTimeLeakageTest.event(times[i], i % 3 == 0 ? "b" : "a", "s" + (i % 2), (double) i));
    }
    LocalDate d = LocalDate.parse("2026-03-02");
    OfflineFixture.backfill(repo, "events", events, offline, d, d);

    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema = SchemaBuilder.record("labels").fields()
        .requiredInt("row").requiredString("user").requiredString("shop").name("t").type(micros).noDefault()
        .optionalDouble("weight").endRecord();
    Path spine = dir.resolve("spine.avro");
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, spine.toFile());
      for (int i = 0; i < 60; i++) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("row", i);
        r.put("user", i % 4 == 0 ? "b" : "a");
        r.put("shop", "s" + (i % 3));
        r.put("t", PointInTimeLeakageTest.t("08:00:00") / 1000 + i * 7L * 60_000_000L + i);
        r.put("weight", i % 5 == 0 ? null : i / 10.0);
        w.append(r);
      }
    }

    Map<Integer, String> direct = run(OfflineFixture.direct(), repo, spine, offline, dir.resolve("direct"), "DirectRunner");
    Map<Integer, String> flink = run(OfflineFixture.flink(), repo, spine, offline, dir.resolve("flink"), "Flink");
    assertEquals(60, direct.size());
    assertEquals(direct, flink);
    assertEquals(
        Files.readString(dir.resolve("direct/training.avsc")), Files.readString(dir.resolve("flink/training.avsc")));
  }

  /**
   * A bucket just under the default hot-key threshold: 9,990 spine rows of one user on one day, who
   * has an offline row at every hour of it. With the 24 offline rows that is more than 10,000
   * elements: when the join was a {@code CoGroupByKey} (until 2026-12-02), Beam's {@code
   * CoGbkResult} then iterated the group again, which Flink's batch grouping refused ("GBK result
   * is not re-iterable"). The join's threshold for an hourly group leaves room for a day of offline
   * rows within 10,000 elements of state, so the bucket is spread.
   */
  @Test
  void aBucketJustUnderTheThresholdIsSpreadAndJoinsOnFlink(@TempDir Path dir) throws Exception {
    var repo = OfflineFixture.load(PointInTimeLeakageTest.DEFS);
    String offline = dir.resolve("offline").toString();
    List<SourceRecord> events = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      events.add(PointInTimeLeakageTest.event(String.format("%02d:30:00", h), "a", "s0", (double) h));
    }
    LocalDate d = LocalDate.parse("2026-03-02");
    OfflineFixture.backfill(repo, "events", events, offline, d, d);
    int rows = 9_990;
    StringBuilder csv = new StringBuilder("row,user,t\n");
    long start = java.time.Instant.parse("2026-03-02T01:00:00Z").toEpochMilli();
    for (int i = 0; i < rows; i++) {
      csv.append(i).append(",a,").append(java.time.Instant.ofEpochMilli(start + i * 8_000L)).append('\n');
    }
    Path spine = Files.writeString(dir.resolve("spine.csv"), csv.toString());
    Pipeline p = OfflineFixture.flink();
    Path out = dir.resolve("flink");
    TrainingSet.build(p, TrainingSet.Spec.of(repo, SpineSource.of(spine.toString(), "t"), "user_hourly:*", offline, out.toString()));
    OfflineFixture.run(p);
    List<GenericRecord> written = OfflineFixture.readTrainingSet(out.toString());
    assertEquals(rows, written.size());
    for (GenericRecord r : written) {
      long t = start + Integer.parseInt(r.get("row").toString()) * 8_000L; // a CSV column: a string
      long hour = java.time.Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.UTC).getHour();
      // e(t) is the hour that began at or before t; its 1-hour window [e - 1h, e) holds the event at (e - 1h):30
      assertEquals(1L, r.get("n_1h"), "row " + r.get("row") + " at hour " + hour);
    }
  }

  static Map<Integer, String> run(
      Pipeline p, io.featurepipe.transforms.model.FeatureRepository repo, Path spine, String offline, Path out,
      String runner) {
    TrainingSet.build(p, TrainingSet.Spec.of(repo, SpineSource.of(spine.toString(), "t"), "user_hourly:*,shop_delayed:*", offline, out.toString())
        .withHotKeyThreshold(5));
    PipelineResult result = OfflineFixture.run(p);
    MetricsFilter filter = MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("featurepipe")).build();
    long hot = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(filter).getCounters()) {
      if (c.getName().getName().equals("training_hot_keys")) {
        hot += committedOrAttempted(c);
      }
    }
    // users a (45 rows) and b (15), shops s0, s1, s2 (20 each), all on 2026-03-02
    assertEquals(5, hot, runner + ": every bucket is above the threshold of 5");
    long largest = -1;
    for (MetricResult<DistributionResult> d : result.metrics().queryMetrics(filter).getDistributions()) {
      if (d.getName().getName().equals("training_requests_per_key")) {
        largest = Math.max(largest, d.getAttempted().getMax());
      }
    }
    assertTrue(largest > 0 && largest <= 10, runner + ": a salt holds about the threshold (45 rows of a unspread), not " + largest);
    Map<Integer, String> rows = new TreeMap<>();
    OfflineFixture.readTrainingSet(out.toString()).forEach(r -> rows.put((Integer) r.get("row"), r.toString()));
    return rows;
  }

  /** Committed where the runner has them (the DirectRunner's attempted counts may count a bundle twice), else attempted (Flink). */
  static long committedOrAttempted(MetricResult<Long> c) {
    try {
      return c.getCommitted();
    } catch (UnsupportedOperationException e) {
      return c.getAttempted();
    }
  }
}
