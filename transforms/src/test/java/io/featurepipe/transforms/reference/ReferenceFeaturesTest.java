package io.featurepipe.transforms.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.reference.ReferenceFeatures.ExpectedRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference itself, on small cases worked out by hand from DESIGN §2–§3, so that agreement
 * with the pipeline means agreement with the design and not a shared misreading.
 */
class ReferenceFeaturesTest {
  static final long MS = 1_000_000L;
  static final long MIN = 60_000L; // ms

  static final String YAML =
      """
      kind: source
      name: events
      format: jsonl
      timestamp: event_time
      timestamp_format: iso8601
      fields:
        - {name: event_time, type: timestamp, required: true}
        - {name: k, type: string, required: true}
        - {name: x, type: double}
        - {name: s, type: string}
        - {name: n, type: int}
      bounded: {path: "x/*.jsonl"}
      ---
      kind: entity
      name: key
      keys: [{name: k, type: string}]
      ---
      kind: feature_group
      name: g
      entity: key
      source: events
      keys: {k: k}
      hop: 1m
      ttl: 3m
      features:
        - {name: c1, agg: count, window: 1m}
        - {name: sum3, agg: sum, column: x}
        - {name: first_s, agg: first, column: s}
        - {name: last_s, agg: last, column: s}
        - {name: last2, agg: last_k(2), column: s}
        - {name: top2, agg: top_k(2), column: x}
        - {name: var, agg: variance, column: n}
        - {name: mean, agg: mean, column: x}
        - {name: q, agg: approx_quantile(0.5), column: n}
        - {name: sum_n, agg: sum, column: n}
      """;

  static FeatureRepository repo() throws Exception {
    return RepositoryLoader.load(Map.of("g.yaml", YAML));
  }

  static SourceRecord event(long nanos, Double x, String s, Long n) {
    return new SourceRecord("events", nanos, new Object[] {nanos, "a", x, s, n}, "");
  }

  static ExpectedRow at(List<ExpectedRow> rows, long e) {
    return rows.stream().filter(r -> r.windowEndMillis() == e).findFirst().orElseThrow(() -> new AssertionError("no row at " + e + " in " + rows));
  }

  @Test
  void rowsAndEmptiesFollowTheTimeRules() throws Exception {
    // events at 0:30 (exactly on a 30s mark), 1:00 exactly (a hop boundary), and 10:00 - 1ns
    List<SourceRecord> events =
        List.of(
            event(30_000 * MS, 1.0, "b", 1L),
            event(MIN * MS, 2.0, "a", 3L),
            event(10 * MIN * MS - 1, null, "c", null));
    List<ExpectedRow> rows = ReferenceFeatures.compute(repo(), "g", events).rows();
    List<String> shape = new ArrayList<>();
    for (ExpectedRow r : rows) {
      shape.add(r.windowEndMillis() / MIN + (r.empty() ? "E" : ""));
    }
    // [e-3m, e) holds an event for e in 1..4m (first two events), 10..12m (the last); empties after
    assertEquals(List.of("1", "2", "3", "4", "5E", "10", "11", "12", "13E"), shape);
    // e = 1m: window [0, 1m) holds only the 0:30 event; the 1:00 event starts the next window
    ExpectedRow r1 = at(rows, MIN);
    assertArrayEquals(
        new Object[] {1L, 1.0, "b", "b", List.of("b"), List.of(1.0), null, 1.0, 1.0, 1L}, r1.values(),
        Arrays.deepToString(r1.values()));
    ExpectedRow r2 = at(rows, 2 * MIN);
    // variance of {1, 3} (sample) = 2; quantile rank floor(0.5 * 1) = 0 -> 1
    assertArrayEquals(
        new Object[] {1L, 3.0, "b", "a", List.of("a", "b"), List.of(2.0, 1.0), 2.0, 1.5, 1.0, 4L},
        r2.values(),
        Arrays.deepToString(r2.values()));
    // e = 4m: [1m, 4m) holds only the 1:00 event; c1 counts [3m, 4m): nothing
    assertArrayEquals(
        new Object[] {0L, 2.0, "a", "a", List.of("a"), List.of(2.0), null, 2.0, 3.0, 3L},
        at(rows, 4 * MIN).values());
    // the empty row holds the DESIGN §2 empty values
    assertArrayEquals(
        new Object[] {0L, 0.0, null, null, List.of(), List.of(), null, null, null, 0L},
        at(rows, 5 * MIN).values());
    // e = 10m: 10:00 - 1ns is in [7m, 10m); a null x and n: sum 0.0, mean null, count counts it
    assertArrayEquals(
        new Object[] {1L, 0.0, "c", "c", List.of("c"), List.of(), null, null, null, 0L},
        at(rows, 10 * MIN).values());
  }

  /** The reference reads windows and parameters from the shared loader: check it read them as written. */
  @Test
  void referenceDefinitionsLoadAsWritten() {
    FeatureRepository r = ReferenceRepository.load();
    assertEquals(java.time.Duration.ofMinutes(1), r.group("g_minute").hop());
    assertEquals(java.time.Duration.ofMinutes(12), r.group("g_minute").ttl());
    assertEquals(java.time.Duration.ofSeconds(30), r.group("g_half").hop());
    assertEquals(java.time.Duration.ofSeconds(90), r.group("g_half").ttl(), "default ttl: the longest window");
    assertEquals(java.time.Duration.ofMinutes(7), r.group("g_expr").hop());
    assertEquals(java.time.Duration.ofSeconds(90), r.group("g_half").feature("count_w90").window());
    assertEquals(null, r.group("g_minute").feature("count_ttl").window());
    assertEquals(0.25, r.group("g_minute").feature("q25_i_w5").aggregation().q());
    assertEquals(0.9, r.group("g_minute").feature("q90_d_w5").aggregation().q());
    assertEquals(1, r.group("g_minute").feature("top1_s_w5").aggregation().k());
    assertEquals(4, r.group("g_minute").feature("last4_t_w5").aggregation().k());
    assertEquals(
        io.featurepipe.transforms.model.ColumnType.BOOL,
        r.group("g_minute").feature("sum_b_w1").inputType());
    assertEquals(List.of("user_id", "shard"), List.copyOf(r.group("g_expr").keys().keySet()));
    assertEquals(3 * 54, r.group("g_minute").features().size());
  }

  @Test
  void tiesOnTimeAreBrokenByValue() throws Exception {
    long t = 5 * MIN * MS + 123; // nanoseconds within a millisecond
    List<SourceRecord> events =
        List.of(
            event(t, 0.0, "\uD83D\uDE00", 5L),
            event(t, -0.0, "\uE000", 5L),
            event(t, Double.NaN, "b", 7L),
            event(t - 1, 3.0, "zzz", 1L),
            event(t + 1, null, "a", null));
    ExpectedRow r = at(ReferenceFeatures.compute(repo(), "g", events).rows(), 6 * MIN);
    // first: earliest time wins (t - 1); last: t + 1; last_k(2): t + 1, then the largest value at t
    // by code point: U+1F600 > U+E000 > "b"
    assertEquals("zzz", r.values()[2]);
    assertEquals("a", r.values()[3]);
    assertEquals(List.of("a", "\uD83D\uDE00"), r.values()[4]);
    // top_k: NaN is the largest, then 3.0
    assertEquals(List.of(Double.NaN, 3.0), r.values()[5]);
    // sum with a NaN is NaN; variance of {5, 5, 7, 1} = 19/3; median rank floor(0.5 * 3) = 1 -> 5
    assertEquals(Double.NaN, r.values()[1]);
    assertEquals(19.0 / 3, r.values()[6]);
    assertEquals(5.0, r.values()[8]);
  }

  @Test
  void exactSumsAreRoundedOnce() throws Exception {
    List<SourceRecord> events =
        List.of(
            event(1, 1e308, "a", Long.MAX_VALUE),
            event(2, 1e308, "a", Long.MAX_VALUE),
            event(3, -1e308, "a", Long.MIN_VALUE),
            event(4, 1.0, "a", Long.MIN_VALUE),
            event(5, -1e308, "a", 5L));
    ExpectedRow r = at(ReferenceFeatures.compute(repo(), "g", events).rows(), MIN);
    assertEquals(1.0, r.values()[1], "1e308 + 1e308 - 1e308 + 1 - 1e308 is exactly 1");
    assertEquals(3L, r.values()[9], "MAX + MAX + MIN + MIN + 5 = 3, overflowing on the way");
    assertEquals(0.2, r.values()[7], "mean 1/5");
    List<SourceRecord> negZero = List.of(event(1, -0.0, "a", 1L), event(2, -0.0, "a", 2L));
    ExpectedRow z = at(ReferenceFeatures.compute(repo(), "g", negZero).rows(), MIN);
    assertEquals(-0.0, z.values()[1]);
    assertEquals(-0.0, z.values()[7]);
    List<SourceRecord> overflow = List.of(event(1, 1.0, "a", Long.MAX_VALUE), event(2, 1.0, "a", 1L));
    assertEquals(null, at(ReferenceFeatures.compute(repo(), "g", overflow).rows(), MIN).values()[9]);
  }
}
