package io.featurepipe.validation.stats;

import java.io.Serializable;

/**
 * How statistics are summarised; the defaults are TFDV's. Immutable: each {@code withX} returns a
 * copy.
 *
 * @param numTopValues how many {@code top_values} string features list (20)
 * @param numRankHistogramBuckets how many values the rank histogram keeps (1000): drift and skew
 *     of categorical features only see these
 * @param numHistogramBuckets buckets of the standard (equal-width) histogram (10)
 * @param numQuantileBuckets buckets of the quantiles histogram (10)
 * @param distinctCapacity distinct string values counted exactly before sampling (16384)
 */
public record StatisticsOptions(
    int numTopValues,
    int numRankHistogramBuckets,
    int numHistogramBuckets,
    int numQuantileBuckets,
    int distinctCapacity)
    implements Serializable {

  public StatisticsOptions {
    require(numTopValues >= 0, "numTopValues", numTopValues);
    require(numRankHistogramBuckets >= 0, "numRankHistogramBuckets", numRankHistogramBuckets);
    require(numHistogramBuckets >= 1, "numHistogramBuckets", numHistogramBuckets);
    require(numQuantileBuckets >= 1, "numQuantileBuckets", numQuantileBuckets);
    require(distinctCapacity >= 16, "distinctCapacity", distinctCapacity);
  }

  public static StatisticsOptions defaults() {
    return new StatisticsOptions(20, 1000, 10, 10, 16384);
  }

  public StatisticsOptions withNumTopValues(int n) {
    return new StatisticsOptions(n, numRankHistogramBuckets, numHistogramBuckets, numQuantileBuckets, distinctCapacity);
  }

  public StatisticsOptions withNumRankHistogramBuckets(int n) {
    return new StatisticsOptions(numTopValues, n, numHistogramBuckets, numQuantileBuckets, distinctCapacity);
  }

  public StatisticsOptions withNumHistogramBuckets(int n) {
    return new StatisticsOptions(numTopValues, numRankHistogramBuckets, n, numQuantileBuckets, distinctCapacity);
  }

  public StatisticsOptions withNumQuantileBuckets(int n) {
    return new StatisticsOptions(numTopValues, numRankHistogramBuckets, numHistogramBuckets, n, distinctCapacity);
  }

  public StatisticsOptions withDistinctCapacity(int n) {
    return new StatisticsOptions(numTopValues, numRankHistogramBuckets, numHistogramBuckets, numQuantileBuckets, n);
  }

  private static void require(boolean ok, String name, int value) {
    if (!ok) {
      throw new IllegalArgumentException("statistics option " + name + " out of range: " + value);
    }
  }
}
