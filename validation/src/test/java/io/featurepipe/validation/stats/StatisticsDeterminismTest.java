package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.columns.ExampleValues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.StringStatistics;

/** Same multiset, any bundling and merge order (with coder round trips): the same bytes. */
class StatisticsDeterminismTest {

  @Test
  void bitIdenticalUnderAnyBundlingAndMergeOrder() throws Exception {
    List<Object[]> data = RandomDatasets.examples(7, 4000, true);
    StatisticsCombineFn<Object[]> fn =
        StatisticsCombineFn.of(RandomDatasets.COLUMNS, ExampleValues.rows())
            .withOptions(StatisticsOptions.defaults().withDistinctCapacity(64));
    byte[] reference = fn.extractOutput(combine(fn, data, new Random(0), 1)).toByteArray();
    for (int trial = 1; trial <= 8; trial++) {
      byte[] bytes = fn.extractOutput(combine(fn, data, new Random(trial), 2 + trial * 3)).toByteArray();
      assertArrayEquals(reference, bytes, "trial " + trial);
    }
    // the capacity of 64 forced sampling on the string columns: still deterministic, and flagged
    DatasetFeatureStatistics stats = DatasetFeatureStatistics.parseFrom(reference);
    assertEquals(StatisticsBuilder.SAMPLE_RATE_STAT, stats.getFeatures(2).getCustomStats(0).getName());
  }

  /** Shuffles, splits into {@code parts} bundles, round-trips each through the coder, merges in a random tree. */
  private static DatasetAccumulator combine(
      StatisticsCombineFn<Object[]> fn, List<Object[]> data, Random random, int parts) throws Exception {
    List<Object[]> shuffled = new ArrayList<>(data);
    Collections.shuffle(shuffled, random);
    Coder<DatasetAccumulator> coder = fn.getAccumulatorCoder(null, null);
    List<DatasetAccumulator> accs = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      DatasetAccumulator a = fn.createAccumulator();
      for (int i = p; i < shuffled.size(); i += parts) {
        fn.addInput(a, shuffled.get(i));
      }
      accs.add(CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, a)));
    }
    while (accs.size() > 1) {
      int i = random.nextInt(accs.size());
      DatasetAccumulator a = accs.remove(i);
      int j = random.nextInt(accs.size());
      DatasetAccumulator b = accs.remove(j);
      DatasetAccumulator merged = fn.mergeAccumulators(List.of(a, b));
      byte[] encoded = CoderUtils.encodeToByteArray(coder, merged);
      accs.add(CoderUtils.decodeFromByteArray(coder, encoded));
    }
    return accs.get(0);
  }

  @Test
  void distinctSampleEstimatesWithinItsBound() {
    DatasetColumns columns =
        new DatasetColumns(
            "ids", DatasetKind.SOURCE, List.of(new Column("id", ColumnType.STRING, false, Column.Origin.SOURCE)));
    StatisticsCombineFn<Object[]> fn =
        StatisticsCombineFn.of(columns, ExampleValues.rows())
            .withOptions(StatisticsOptions.defaults().withDistinctCapacity(1024));
    DatasetAccumulator acc = fn.createAccumulator();
    int distinct = 50_000;
    for (int i = 0; i < distinct; i++) {
      fn.addInput(acc, new Object[] {"id-" + i});
      if (i % 10 == 0) {
        fn.addInput(acc, new Object[] {"id-" + i});
      }
    }
    StringStatistics s = fn.extractOutput(acc).getFeatures(0).getStringStats();
    // kept values are between capacity/2 and capacity: relative std error <= 1/sqrt(512) ~ 4.4%; allow 4 sigma
    double error = Math.abs(s.getUnique() - distinct) / (double) distinct;
    assertTrue(error < 4 / Math.sqrt(512), "unique " + s.getUnique() + " vs " + distinct);
    // sampled counts stay exact: every kept "id-<multiple of 10>" was seen twice
    assertFalse(s.getTopValuesList().isEmpty());
    for (StringStatistics.FreqAndValue v : s.getTopValuesList()) {
      int id = Integer.parseInt(v.getValue().substring(3));
      assertEquals(id % 10 == 0 ? 2.0 : 1.0, v.getFrequency(), 0.0, v.getValue());
    }
  }

  @Test
  void emptyDatasetHasNoExamplesAndAllMissing() {
    StatisticsCombineFn<Object[]> fn = StatisticsCombineFn.of(RandomDatasets.COLUMNS, ExampleValues.rows());
    DatasetFeatureStatistics stats = fn.extractOutput(fn.createAccumulator());
    assertEquals(0, stats.getNumExamples());
    assertEquals(RandomDatasets.COLUMNS.size(), stats.getFeaturesCount());
    assertEquals(0, stats.getFeatures(1).getNumStats().getCommonStats().getNumNonMissing());
  }
}
