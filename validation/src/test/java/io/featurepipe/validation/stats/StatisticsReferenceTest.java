package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.validation.columns.ExampleValues;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.FeatureNameStatistics;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.NumericStatistics;
import org.tensorflow.metadata.v0.StringStatistics;

/** Statistics against a brute-force reference on random data: exact ones exactly, sketches within their bounds. */
class StatisticsReferenceTest {

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void statisticsMatchBruteForce(long seed) {
    List<Object[]> data = RandomDatasets.examples(seed, 3000, seed != 3);
    StatisticsCombineFn<Object[]> fn = StatisticsCombineFn.of(RandomDatasets.COLUMNS, ExampleValues.rows());
    DatasetAccumulator acc = fn.createAccumulator();
    data.forEach(row -> fn.addInput(acc, row));
    DatasetFeatureStatistics stats = fn.extractOutput(acc);

    assertEquals(data.size(), stats.getNumExamples());
    assertEquals("random", stats.getName());
    checkNumeric(stats.getFeatures(0), column(data, 0, false));
    checkNumeric(stats.getFeatures(1), column(data, 1, false));
    checkStrings(stats.getFeatures(2), column(data, 2, false));
    checkNumeric(stats.getFeatures(3), column(data, 3, false));
    checkNumeric(stats.getFeatures(4), column(data, 4, false));
    checkStrings(stats.getFeatures(5), column(data, 5, true));
    checkNumeric(stats.getFeatures(6), column(data, 6, true));
  }

  /** The values of one column: per example (null when missing), flattened into doubles or strings. */
  private record ColumnData(List<Object> perExample, List<Object> values) {}

  private static ColumnData column(List<Object[]> data, int index, boolean list) {
    List<Object> perExample = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (Object[] row : data) {
      Object v = row[index];
      perExample.add(v);
      if (v == null) {
        continue;
      }
      List<?> items = list ? (List<?>) v : List.of(v);
      for (Object item : items) {
        values.add(item instanceof Boolean b ? (b ? 1L : 0L) : index == 4 ? Math.floorDiv((Long) item, 1_000_000L) : item);
      }
    }
    return new ColumnData(perExample, values);
  }

  private static void checkCommon(FeatureNameStatistics f, ColumnData d, long totalValues) {
    long present = d.perExample().stream().filter(v -> v != null).count();
    var common = f.hasNumStats() ? f.getNumStats().getCommonStats() : f.getStringStats().getCommonStats();
    assertEquals(present, common.getNumNonMissing(), "num_non_missing of " + f.getPath());
    assertEquals(d.perExample().size() - present, common.getNumMissing(), "num_missing");
    assertEquals(totalValues, common.getTotNumValues(), "tot_num_values");
    long min = Long.MAX_VALUE;
    long max = 0;
    for (Object v : d.perExample()) {
      if (v != null) {
        long n = v instanceof List<?> l ? l.size() : 1;
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
    }
    assertEquals(min, common.getMinNumValues());
    assertEquals(max, common.getMaxNumValues());
  }

  private static void checkNumeric(FeatureNameStatistics f, ColumnData d) {
    checkCommon(f, d, d.values().size());
    NumericStatistics s = f.getNumStats();
    List<Double> all = new ArrayList<>();
    long nan = 0;
    for (Object v : d.values()) {
      double x = ((Number) v).doubleValue();
      if (Double.isNaN(x)) {
        nan++;
      } else {
        all.add(x);
      }
    }
    List<Double> finite = all.stream().filter(Double::isFinite).sorted().toList();
    assertEquals(all.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), s.getMin(), 0.0);
    assertEquals(all.stream().mapToDouble(Double::doubleValue).max().orElseThrow(), s.getMax(), 0.0);
    assertEquals(all.stream().filter(x -> x == 0).count(), s.getNumZeros());

    // mean: exact sum, rounded once
    BigDecimal sum = BigDecimal.ZERO;
    for (Object v : d.values()) {
      double x = ((Number) v).doubleValue();
      if (Double.isFinite(x)) {
        sum = v instanceof Long l ? sum.add(BigDecimal.valueOf(l)) : sum.add(new BigDecimal(x));
      }
    }
    BigDecimal n = BigDecimal.valueOf(finite.size());
    BigDecimal mean = sum.divide(n, new MathContext(60));
    assertEquals(mean.doubleValue(), s.getMean(), 0.0, "mean of " + f.getPath());
    BigDecimal squares = BigDecimal.ZERO;
    for (double x : finite) {
      BigDecimal dx = new BigDecimal(x).subtract(mean);
      squares = squares.add(dx.multiply(dx));
    }
    double std = Math.sqrt(squares.divide(n, new MathContext(60)).doubleValue());
    assertEquals(std, s.getStdDev(), std * 1e-12, "std_dev of " + f.getPath());

    // median: the value of rank floor((n - 1) / 2), within 1% relative
    double median = finite.get((finite.size() - 1) / 2);
    assertEquals(median, s.getMedian(), Math.abs(median) * LogBucketSketch.ALPHA + 1e-300, "median");

    Histogram standard = histogram(s, Histogram.HistogramType.STANDARD);
    Histogram quantiles = histogram(s, Histogram.HistogramType.QUANTILES);
    assertEquals(nan, standard.getNumNan());
    assertEquals(nan, quantiles.getNumNan());
    checkStandardHistogram(standard, finite, all);
    checkQuantiles(quantiles, finite);
  }

  private static Histogram histogram(NumericStatistics s, Histogram.HistogramType type) {
    return s.getHistogramsList().stream().filter(h -> h.getType() == type).findFirst().orElseThrow();
  }

  /** Each bucket's count is off by at most the values within 1% of its boundaries. */
  private static void checkStandardHistogram(Histogram h, List<Double> finite, List<Double> all) {
    double total = 0;
    for (Histogram.Bucket b : h.getBucketsList()) {
      total += b.getSampleCount();
      if (Double.isInfinite(b.getLowValue())) {
        double inf = b.getLowValue();
        assertEquals(all.stream().filter(x -> x == inf).count(), b.getSampleCount(), 0.0);
        continue;
      }
      boolean first = b.getLowValue() == finite.get(0);
      long exact =
          finite.stream()
              .filter(x -> (first ? x >= b.getLowValue() : x > b.getLowValue()) && x <= b.getHighValue())
              .count();
      long near =
          finite.stream()
              .filter(x -> nearBoundary(x, b.getLowValue()) || nearBoundary(x, b.getHighValue()))
              .count();
      assertTrue(
          Math.abs(b.getSampleCount() - exact) <= near + 1e-6,
          "bucket " + b + ": exact " + exact + ", values near its boundaries " + near);
    }
    assertEquals(all.size(), total, 1e-6);
  }

  private static boolean nearBoundary(double x, double boundary) {
    return Math.abs(x - boundary) <= 2.1 * LogBucketSketch.ALPHA * Math.abs(x) || x == 0;
  }

  private static void checkQuantiles(Histogram h, List<Double> finite) {
    List<Histogram.Bucket> finiteBuckets =
        h.getBucketsList().stream().filter(b -> Double.isFinite(b.getLowValue())).toList();
    assertEquals(10, finiteBuckets.size());
    assertEquals(finite.get(0), finiteBuckets.get(0).getLowValue(), 0.0);
    assertEquals(finite.get(finite.size() - 1), finiteBuckets.get(9).getHighValue(), 0.0);
    for (int k = 1; k < 10; k++) {
      double exact = finite.get((int) Math.floorDiv((long) k * (finite.size() - 1), 10));
      double got = finiteBuckets.get(k - 1).getHighValue();
      assertEquals(exact, got, Math.abs(exact) * LogBucketSketch.ALPHA + 1e-300, "quantile " + k);
      assertEquals(finite.size() / 10.0, finiteBuckets.get(k).getSampleCount(), 1e-9);
    }
  }

  private static void checkStrings(FeatureNameStatistics f, ColumnData d) {
    checkCommon(f, d, d.values().size());
    StringStatistics s = f.getStringStats();
    Map<String, Long> counts = new HashMap<>();
    long bytes = 0;
    for (Object v : d.values()) {
      counts.merge((String) v, 1L, Long::sum);
      bytes += ((String) v).getBytes(StandardCharsets.UTF_8).length;
    }
    assertEquals(counts.size(), s.getUnique());
    assertEquals((float) ((double) bytes / d.values().size()), s.getAvgLength(), 0.0f);
    List<Map.Entry<String, Long>> ranked = new ArrayList<>(counts.entrySet());
    ranked.sort(
        Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
            .reversed()
            .thenComparing(Map.Entry::getKey, (a, b) -> codePoints(b, a)));
    assertEquals(Math.min(20, ranked.size()), s.getTopValuesCount());
    for (int i = 0; i < s.getTopValuesCount(); i++) {
      assertEquals(ranked.get(i).getKey(), s.getTopValues(i).getValue());
      assertEquals(ranked.get(i).getValue(), s.getTopValues(i).getFrequency(), 0.0);
    }
    assertEquals(Math.min(1000, ranked.size()), s.getRankHistogram().getBucketsCount());
    for (int i = 0; i < s.getRankHistogram().getBucketsCount(); i++) {
      assertEquals(ranked.get(i).getKey(), s.getRankHistogram().getBuckets(i).getLabel());
      assertEquals(i, s.getRankHistogram().getBuckets(i).getLowRank());
    }
  }

  private static int codePoints(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }
}
