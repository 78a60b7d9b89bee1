package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.featurepipe.pipelines.training.BruteForceReference.Event;
import io.featurepipe.pipelines.training.reference.InMemoryPointInTimeJoin;
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
import java.util.Random;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized events (fixed seeds) → ComputeFeatures → WriteOffline → training set from a JSON-lines
 * spine, compared value by value with {@link BruteForceReference} (straight from the raw events)
 * and with {@link InMemoryPointInTimeJoin} (from the offline rows). Spine times hit event times
 * exactly, one microsecond after and before them, and hop boundaries; some keys are unknown; one
 * test makes a key hot and checks that the join spreads it.
 */
class ReferenceTrainingSetTest {
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
        - {name: shop_id, type: int, required: true}
        - {name: amount, type: double}
        - {name: tag, type: string}
      bounded: {path: "events/*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: entity
      name: shop
      keys: [{name: shop_id, type: int}]
      ---
      kind: feature_group
      name: user_activity
      entity: user
      source: events
      keys: {user: user}
      hop: 1h
      ttl: 4h
      features:
        - {name: n_2h, agg: count, window: 2h}
        - {name: sum_3h, agg: sum, column: amount, window: 3h}
        - {name: min_1h, agg: min, column: amount, window: 1h}
        - {name: max_1h, agg: max, column: amount, window: 1h}
        - {name: first_amount, agg: first, column: amount}
        - {name: last_tag, agg: last, column: tag}
        - {name: last3_tags_2h, agg: last_k(3), column: tag, window: 2h}
        - {name: tags, agg: approx_count_distinct, column: tag}
      ---
      kind: feature_group
      name: shop_activity
      entity: shop
      source: events
      keys: {shop_id: shop_id}
      hop: 30m
      ttl: 2h
      availability_delay: 5m
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: mean_amount, agg: mean, column: amount}
      """;
  static final String FEATURES = "user_activity:*,shop_activity:*";
  /** Events and spine times span the 24 hours from here: across a date and a month's end. */
  static final long DAY0 = Instant.parse("2026-02-28T12:00:00Z").getEpochSecond() * 1_000_000_000L;
  static final long DAY = 86_400_000_000_000L;
  static final String[] TAGS = {"x", "y", "z", "w", "v"};

  static FeatureRepository repo;
  static Path offline;
  static List<Event> events;

  @BeforeAll
  static void backfill(@TempDir Path dir) {
    repo = OfflineFixture.load(DEFS);
    offline = dir.resolve("offline");
    Random rnd = new Random(20260302);
    TreeSet<Long> times = new TreeSet<>();
    while (times.size() < 1500) {
      times.add(DAY0 + (long) (rnd.nextDouble() * DAY));
    }
    events = new ArrayList<>();
    List<SourceRecord> records = new ArrayList<>();
    for (long ts : times) {
      String user = "u" + rnd.nextInt(25);
      long shop = 1 + rnd.nextInt(6);
      Double amount = rnd.nextInt(10) == 0 ? null : (double) (1 + rnd.nextInt(100));
      String tag = rnd.nextInt(10) == 0 ? null : TAGS[rnd.nextInt(TAGS.length)];
      events.add(new Event(ts, user, shop, amount, tag));
      records.add(new SourceRecord("events", ts, new Object[] {ts, user, shop, amount, tag}, ""));
    }
    OfflineFixture.backfill(repo, "events", records, offline.toString(), LocalDate.parse("2026-02-27"), LocalDate.parse("2026-03-01"));
  }

  static String iso(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }

  /** Spine times: random, at event times, 1 µs either side of them, at and next to hop boundaries. */
  static long spineTime(Random rnd) {
    long pick = events.get(rnd.nextInt(events.size())).ts();
    return switch (rnd.nextInt(6)) {
      case 0 -> pick;
      case 1 -> pick + 1_000;
      case 2 -> pick - 1_000;
      case 3 -> DAY0 + rnd.nextInt(48) * 1_800_000_000_000L + (rnd.nextInt(3) - 1);
      default -> DAY0 + (long) (rnd.nextDouble() * DAY);
    };
  }

  static Path writeSpine(Path file, List<long[]> rows, List<String> users) throws Exception {
    ObjectMapper json = new ObjectMapper();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < rows.size(); i++) {
      ObjectNode o = json.createObjectNode();
      o.put("id", i);
      o.put("user", users.get(i));
      o.put("shop_id", rows.get(i)[1]);
      o.put("t", iso(rows.get(i)[0]));
      o.put("label", i % 3 == 0);
      o.putObject("meta").put("n", i);
      b.append(o).append('\n');
    }
    Files.writeString(file, b.toString());
    return file;
  }

  record Run(Map<Long, GenericRecord> rows, PipelineResult result, TrainingSet.Built built) {}

  static Run run(Path dir, List<long[]> rows, List<String> users, long hotKeyThreshold) throws Exception {
    return run(dir, writeSpine(dir.resolve("spine.jsonl"), rows, users).toString(), rows, hotKeyThreshold);
  }

  static Run run(Path dir, String spine, List<long[]> rows, long hotKeyThreshold) throws Exception {
    Pipeline p = OfflineFixture.fastDirect();
    TrainingSet.Spec spec =
        TrainingSet.Spec.of(repo, SpineSource.of(spine, "t"), FEATURES, offline.toString(), dir.resolve("out").toString());
    TrainingSet.Built built = TrainingSet.build(p, hotKeyThreshold > 0 ? spec.withHotKeyThreshold(hotKeyThreshold) : spec);
    PipelineResult result = OfflineFixture.run(p);
    Map<Long, GenericRecord> byId = new HashMap<>();
    List<GenericRecord> written = OfflineFixture.readTrainingSet(dir.resolve("out").toString());
    for (GenericRecord r : written) {
      byId.put((Long) r.get("id"), r);
    }
    assertEquals(rows.size(), byId.size(), "one output row per spine row");
    assertEquals(rows.size(), written.size(), "and none twice");
    return new Run(byId, result, built);
  }

  /** Compares every feature of every row with the brute force and the in-memory join. */
  static void check(Run run, List<long[]> rows, List<String> users) {
    InMemoryPointInTimeJoin memory = new InMemoryPointInTimeJoin(repo);
    OfflineFixture.offlineRows(repo, offline.toString()).forEach(memory::add);
    List<String> features = new ArrayList<>();
    run.built().schema().selection().features().forEach(s -> features.add(s.group().name() + ":" + s.feature().name()));
    List<String> columns = run.built().schema().featureColumns();
    int nonEmpty = 0;
    for (int i = 0; i < rows.size(); i++) {
      long t = rows.get(i)[0];
      List<Object> expected = new ArrayList<>(BruteForceReference.user(events, users.get(i), t));
      expected.addAll(BruteForceReference.shop(events, rows.get(i)[1], t));
      GenericRecord r = run.rows().get((long) i);
      List<Object> actual = new ArrayList<>();
      columns.forEach(c -> actual.add(normalize(r.get(c))));
      String where = "spine row " + i + " (" + users.get(i) + ", shop " + rows.get(i)[1] + ", " + iso(t) + ")";
      assertEquals(expected, actual, where + " against the brute force");
      assertEquals(
          expected, memory.join(t, Map.of("user", users.get(i), "shop_id", rows.get(i)[1]), features),
          where + ": the in-memory join");
      if (!Long.valueOf(0).equals(expected.get(0))) {
        nonEmpty++;
      }
      assertEquals(i % 3 == 0, r.get("label"), "a JSON boolean stays a boolean");
      assertEquals("{\"n\":" + i + "}", r.get("meta").toString(), "a JSON object is carried as its text");
    }
    assertTrue(nonEmpty > rows.size() / 4, "most rows see events: " + nonEmpty);
  }

  static Object normalize(Object v) {
    if (v instanceof CharSequence cs) {
      return cs.toString();
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(o -> out.add(normalize(o)));
      return out;
    }
    return v;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 99})
  void randomizedSpineAgreesWithBruteForceFromRawEvents(long seed, @TempDir Path dir) throws Exception {
    Random rnd = new Random(seed);
    List<long[]> rows = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(new long[] {spineTime(rnd), 1 + rnd.nextInt(7)}); // shop 7 has no events
      users.add(rnd.nextInt(12) == 0 ? "ghost" + i : "u" + rnd.nextInt(25));
    }
    check(run(dir, rows, users, 0), rows, users);
  }

  /**
   * The spine as Spark writes one: Parquet files without an Avro schema, the time an INT96 column,
   * split over two files; the same rows and values as any spine.
   */
  @Test
  void aParquetSpineOfInt96TimesAgreesWithBruteForce(@TempDir Path dir) throws Exception {
    Random rnd = new Random(11);
    List<long[]> rows = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      long t = spineTime(rnd);
      rows.add(new long[] {t - Math.floorMod(t, 1_000L), 1 + rnd.nextInt(7)}); // INT96 here holds microseconds
      users.add(rnd.nextInt(12) == 0 ? "ghost" + i : "u" + rnd.nextInt(25));
    }
    Files.createDirectories(dir.resolve("spine"));
    ParquetSpines.write(dir.resolve("spine/part-0.parquet"), rows, users, 0, 70);
    ParquetSpines.write(dir.resolve("spine/part-1.parquet"), rows, users, 70, rows.size());
    Run run = run(dir, dir.resolve("spine").toString() + "/*.parquet", rows, 0);
    check(run, rows, users);
    GenericRecord first = run.rows().get(0L);
    assertEquals(rows.get(0)[0] / 1_000, first.get("t"), "the INT96 time is carried as timestamp-micros");
  }

  @Test
  void aHotKeyIsSpreadAndEveryOneOfItsRowsGetsItsValues(@TempDir Path dir) throws Exception {
    Random rnd = new Random(5);
    List<long[]> rows = new ArrayList<>();
    List<String> users = new ArrayList<>();
    long hour = DAY0 + 13 * 3_600_000_000_000L; // 2026-03-01T01:00Z
    for (int i = 0; i < 1000; i++) {
      rows.add(new long[] {hour + (long) (rnd.nextDouble() * 3_600_000_000_000L), 1});
      users.add(i % 50 == 0 ? "u" + rnd.nextInt(25) : "u1");
    }
    Run run = run(dir, rows, users, 40);
    check(run, rows, users);
    MetricsFilter filter = MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("featurepipe")).build();
    long hot = 0;
    for (MetricResult<Long> c : run.result().metrics().queryMetrics(filter).getCounters()) {
      if (c.getName().getName().equals("training_hot_keys")) {
        hot += c.getCommitted(); // the DirectRunner's attempted counts may count a bundle twice
      }
    }
    // buckets are (group, key, month of e) for hourly groups: u1 (980 rows) and shop 1 (1,000 rows) in March 2026
    assertEquals(2, hot, "the buckets of u1 and of shop 1 in March 2026 are hot");
    boolean measured = false;
    for (MetricResult<DistributionResult> d : run.result().metrics().queryMetrics(filter).getDistributions()) {
      if (d.getName().getName().equals("training_requests_per_key")) {
        // salts are drawn by spine row id, so a salt of a bucket holds about the threshold (980
        // rows of u1 and 1,000 of shop 1 without spreading)
        assertTrue(d.getAttempted().getMax() <= 60, "no worker holds much more than the threshold: " + d.getAttempted());
        measured = true;
      }
    }
    assertTrue(measured, "spine rows per bucket and salt are measured");
  }
}
