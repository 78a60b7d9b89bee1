package io.featurepipe.validation.stats;

import org.tensorflow.metadata.v0.Histogram;

/**
 * The two histograms of a numeric feature, built from its {@link LogBucketSketch} as TFDV builds
 * them from its quantile sketch (no second pass over the data):
 *
 * <ul>
 *   <li>STANDARD: {@code n} equal-width buckets from the finite min to the finite max; each sketch
 *       bucket's count is spread over the histogram buckets it overlaps, assuming values uniform
 *       within it. Counts are therefore approximate near boundaries: a value may be counted in a
 *       neighbouring bucket when it is within 1% (relative) of a boundary.
 *   <li>QUANTILES: {@code n} buckets of equal count whose boundaries are the sketch's quantiles
 *       (each within 1% of the true value of its rank).
 * </ul>
 *
 * Infinities go to point buckets {@code [-inf, -inf]} and {@code [+inf, +inf]} at the ends; NaN
 * values are counted in {@code num_nan}. Buckets exclude their low value (but the first) and
 * include their high value.
 */
final class Histograms {
  private Histograms() {}

  static Histogram standard(FeatureAccumulator f, int n) {
    Histogram.Builder h =
        Histogram.newBuilder().setType(Histogram.HistogramType.STANDARD).setNumNan(f.nan);
    infinity(h, Double.NEGATIVE_INFINITY, f.negativeInfinities);
    long finite = f.finiteCount();
    if (finite > 0) {
      double lo = f.finiteMin;
      double hi = f.finiteMax;
      if (lo == hi) {
        h.addBuckets(bucket(lo, hi, finite));
      } else {
        double width = (hi - lo) / n;
        double[] counts = new double[n];
        f.sketch.forEachBucket(
            (a, b, c) -> {
              double low = Math.max(a, lo);
              double high = Math.min(b, hi);
              int first = bucketOf(low, lo, width, n);
              int last = bucketOf(high, lo, width, n);
              if (first == last || !(high > low)) {
                counts[first] += c;
                return;
              }
              for (int k = first; k <= last; k++) {
                double bLow = Math.max(low, boundary(k, lo, hi, width, n));
                double bHigh = Math.min(high, boundary(k + 1, lo, hi, width, n));
                counts[k] += c * Math.max(0.0, bHigh - bLow) / (high - low);
              }
            });
        for (int k = 0; k < n; k++) {
          h.addBuckets(bucket(boundary(k, lo, hi, width, n), boundary(k + 1, lo, hi, width, n), counts[k]));
        }
      }
    }
    infinity(h, Double.POSITIVE_INFINITY, f.positiveInfinities);
    return h.build();
  }

  static Histogram quantiles(FeatureAccumulator f, int n) {
    Histogram.Builder h =
        Histogram.newBuilder().setType(Histogram.HistogramType.QUANTILES).setNumNan(f.nan);
    infinity(h, Double.NEGATIVE_INFINITY, f.negativeInfinities);
    long finite = f.finiteCount();
    if (finite > 0) {
      double perBucket = (double) finite / n;
      double low = f.finiteMin;
      for (int k = 1; k <= n; k++) {
        double high =
            k == n
                ? f.finiteMax
                : f.sketch.valueAtRank(Math.floorDiv((long) k * (finite - 1), n), f.finiteMin, f.finiteMax);
        h.addBuckets(bucket(low, high, perBucket));
        low = high;
      }
    }
    infinity(h, Double.POSITIVE_INFINITY, f.positiveInfinities);
    return h.build();
  }

  private static void infinity(Histogram.Builder h, double inf, long count) {
    if (count > 0) {
      h.addBuckets(bucket(inf, inf, count));
    }
  }

  private static Histogram.Bucket bucket(double low, double high, double count) {
    return Histogram.Bucket.newBuilder()
        .setLowValue(low)
        .setHighValue(high)
        .setSampleCount(count)
        .build();
  }

  private static double boundary(int k, double lo, double hi, double width, int n) {
    return k == n ? hi : lo + k * width;
  }

  /** The bucket holding x: low exclusive (but bucket 0), high inclusive. */
  private static int bucketOf(double x, double lo, double width, int n) {
    if (x <= lo) {
      return 0;
    }
    int k = (int) Math.ceil((x - lo) / width) - 1;
    return Math.max(0, Math.min(n - 1, k));
  }
}
