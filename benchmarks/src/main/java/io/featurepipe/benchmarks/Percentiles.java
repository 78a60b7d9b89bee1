package io.featurepipe.benchmarks;

/** Nearest-rank percentiles, the one rule every suite's p50/p99 columns use. */
public final class Percentiles {
  private Percentiles() {}

  /** The {@code p}-th percentile (0 < p <= 100) of ascending {@code sorted} values: the value at rank ceil(p/100 · n). */
  public static long of(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
