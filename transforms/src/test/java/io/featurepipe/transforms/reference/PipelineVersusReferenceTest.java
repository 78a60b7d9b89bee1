package io.featurepipe.transforms.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.FeatureDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.reference.PipelineHarness.Outputs;
import io.featurepipe.transforms.reference.ReferenceFeatures.ExpectedRow;
import io.featurepipe.transforms.reference.ReferenceFeatures.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests: {@code ComputeFeatures} on the DirectRunner (bounded {@code Create.timestamped})
 * against {@link ReferenceFeatures}, a brute-force model of DESIGN §2–§3, on randomized events of
 * many keys per run (see {@link EventGenerator} for the scenarios: bursts, gaps longer than the
 * longest window, single events, equal timestamps, nanoseconds within a millisecond, hop
 * boundaries, pre-epoch times, nulls, special doubles, huge ints), a hot key, and filter / derive /
 * composite keys. Every row identity, empty flag and value is compared ({@link RowMatcher}).
 */
class PipelineVersusReferenceTest {

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  static final FeatureRepository REPO = ReferenceRepository.load();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 23, 47})
  void randomizedKeysMatchTheReference(long seed, TestPipeline p) {
    List<SourceRecord> records = new EventGenerator(seed).keys("k" + seed + "_", 40);
    Outputs out =
        PipelineHarness.compute(
            "Random", REPO, ReferenceRepository.RANDOM_GROUPS, PipelineHarness.create(p, "Events", records));
    p.run().waitUntilFinish();

    List<ExpectedRow> expected = expected(ReferenceRepository.RANDOM_GROUPS, records);
    assertMatches(out, expected, 0);
    assertCovers(expected);
  }

  /** Hand-picked keys at the edges of exact arithmetic and of the distinct-count sketch. */
  @Test
  void curatedEdgeCasesMatchTheReference(TestPipeline p) {
    List<SourceRecord> records = EventGenerator.curated();
    Outputs out =
        PipelineHarness.compute(
            "Curated", REPO, ReferenceRepository.RANDOM_GROUPS, PipelineHarness.create(p, "Events", records));
    p.run().waitUntilFinish();
    List<ExpectedRow> expected = expected(ReferenceRepository.RANDOM_GROUPS, records);
    assertMatches(out, expected, 0);
  }

  /** One key with 20 000 events (KMV and quantile sketches well past exact sizes) among cold keys. */
  @Test
  void hotKeyMatchesTheReference(TestPipeline p) {
    EventGenerator gen = new EventGenerator(99);
    List<SourceRecord> records = new ArrayList<>(gen.hotKey("hot", 20_000, 15));
    records.addAll(gen.keys("cold_", 6));
    Outputs out =
        PipelineHarness.compute(
            "Hot", REPO, ReferenceRepository.RANDOM_GROUPS, PipelineHarness.create(p, "Events", records));
    p.run().waitUntilFinish();

    List<ExpectedRow> expected = expected(ReferenceRepository.RANDOM_GROUPS, records);
    assertMatches(out, expected, 0);
    long approximated = 0;
    for (ExpectedRow r : expected) {
      List<FeatureDef> features = REPO.group(r.group()).features();
      for (int f = 0; f < features.size(); f++) {
        if (features.get(f).aggregation().kind() == AggregationKind.APPROX_COUNT_DISTINCT
            && (Long) r.values()[f] >= RowMatcher.EXACT_DISTINCT_BELOW) {
          approximated++;
        }
      }
    }
    assertTrue(approximated > 50, "the hot key must push approx_count_distinct past its exact range");
  }

  /**
   * Filter, derived columns (CEL, one failing on some rows) and a two-column key
   * with a key expression, on a 7m hop; g_half alongside still uses the rows g_expr rejects.
   */
  @Test
  void filterDeriveAndCompositeKeyMatchTheReference(TestPipeline p) {
    List<SourceRecord> records = new EventGenerator(5).keys("x_", 24);
    Outputs out =
        PipelineHarness.compute(
            "Expr", REPO, List.of("g_expr", "g_half"), PipelineHarness.create(p, "Events", records));
    p.run().waitUntilFinish();

    Outcome reference = ReferenceFeatures.compute(REPO, "g_expr", records);
    List<ExpectedRow> expected = new ArrayList<>(reference.rows());
    expected.addAll(expected(List.of("g_half"), records));
    List<DeadLetter> dead = assertMatches(out, expected, reference.deadLetters());
    assertTrue(reference.deadLetters() > 0, "some rows must fail 'i / (i - 3)'");
    assertTrue(reference.filteredOut() > 0, "the filter must drop some rows");
    // the reference shares the CEL evaluator: make sure most rows really went through it
    assertTrue(reference.rows().size() > 300, "g_expr rows: " + reference.rows().size());
    assertTrue(reference.deadLetters() < records.size() / 4, "dead letters: " + reference.deadLetters());
    for (DeadLetter d : dead) {
      assertEquals("PrepareGroups/g_expr", d.step(), d.toString());
      // division by zero in 'i / (i - 3)', or CEL's overflow check in 'i * 2' on huge ints
      assertTrue(d.reason().contains("'i / (i - 3)'") || d.reason().contains("'i * 2'"), d.reason());
    }
    Set<Object> shards = new HashSet<>();
    Map<Object, Set<Object>> shardsPerUser = new HashMap<>();
    for (ExpectedRow r : reference.rows()) {
      assertEquals(0, r.windowEndMillis() % (7 * 60_000));
      assertEquals(2, r.key().size());
      shards.add(r.key().get(1));
      shardsPerUser.computeIfAbsent(r.key().get(0), u -> new HashSet<>()).add(r.key().get(1));
    }
    assertEquals(Set.of(0L, 1L, 2L), shards);
    assertTrue(shardsPerUser.values().stream().anyMatch(s -> s.size() > 1), "a user on several keys");
  }

  static List<ExpectedRow> expected(List<String> groups, List<SourceRecord> records) {
    List<ExpectedRow> expected = new ArrayList<>();
    for (String g : groups) {
      Outcome o = ReferenceFeatures.compute(REPO, g, records);
      assertEquals(0, o.deadLetters());
      expected.addAll(o.rows());
    }
    return expected;
  }

  /** Compares rows, checks the dead-letter count and that nothing is late; returns the dead letters. */
  static List<DeadLetter> assertMatches(Outputs out, List<ExpectedRow> expected, int deadLetters) {
    List<FeatureRow> rows = out.rows();
    List<DeadLetter> dead = out.deadLetters();
    List<DeadLetter> late = out.lateEvents();
    out.clear();
    String diff = RowMatcher.check(REPO, rows, expected);
    assertTrue(diff.isEmpty(), diff);
    assertEquals(deadLetters, dead.size(), "dead letters: " + dead.subList(0, Math.min(3, dead.size())));
    assertEquals(List.of(), late, "a bounded run has no late events");
    return dead;
  }

  /** The randomized runs must actually exercise what they claim to. */
  static void assertCovers(List<ExpectedRow> expected) {
    Map<String, Integer> emptiesPerKey = new HashMap<>();
    Set<String> probes = new HashSet<>();
    for (ExpectedRow r : expected) {
      if (r.empty()) {
        emptiesPerKey.merge(r.group() + r.key(), 1, Integer::sum);
        continue;
      }
      assertEquals(0, r.windowEndMillis() % REPO.group(r.group()).hop().toMillis());
      if (r.windowEndMillis() <= 0) {
        probes.add("pre-epoch window end");
      }
      List<FeatureDef> features = REPO.group(r.group()).features();
      for (int f = 0; f < features.size(); f++) {
        String name = features.get(f).name();
        Object v = r.values()[f];
        if (v == null) {
          probes.add("null in a non-empty row");
          if (name.startsWith("sum_i")) {
            probes.add("int sum beyond a long");
          }
        }
        if (v instanceof Double d) {
          probes.add(d.isNaN() ? "NaN" : d.isInfinite() ? "infinite" : "finite");
          if (name.startsWith("sum_d") && d == 0 && 1 / d < 0) {
            probes.add("sum of only -0.0");
          }
        }
        if (v instanceof List<?> l && l.contains("\uE000") && l.contains("\uD83D\uDE00")) {
          probes.add("U+E000 and U+1F600 in one list");
        }
        if (v instanceof List<?> l && l.contains(0.0) && l.contains(-0.0)) {
          probes.add("0.0 and -0.0 in one list");
        }
      }
    }
    assertTrue(emptiesPerKey.values().stream().anyMatch(n -> n >= 3), "keys with several gaps");
    assertEquals(
        new java.util.TreeSet<>(
            List.of(
                "pre-epoch window end", "null in a non-empty row", "int sum beyond a long", "NaN",
                "infinite", "finite", "sum of only -0.0", "U+E000 and U+1F600 in one list",
                "0.0 and -0.0 in one list")),
        new java.util.TreeSet<>(probes));
  }
}
