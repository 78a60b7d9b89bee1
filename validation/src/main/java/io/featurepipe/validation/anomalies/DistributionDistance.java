package io.featurepipe.validation.anomalies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.metadata.v0.Histogram;
import org.tensorflow.metadata.v0.RankHistogram;

/**
 * The distances TFDV uses for drift and skew, computed the way TFDV computes them:
 *
 * <ul>
 *   <li>{@link #lInfinity}: each rank histogram's counts normalised by its own total, then the
 *       largest absolute difference over all labels (only labels in the rank histograms count);
 *   <li>{@link #normalizedAbsoluteDifference}: max |x − y| over labels, divided by the sum of all
 *       counts of both;
 *   <li>{@link #jensenShannon} of two categorical distributions (log base 2, so in [0, 1]);
 *   <li>{@link #jensenShannon(Histogram, Histogram)} of two numeric histograms: point buckets and
 *       buckets with infinite bounds are set apart, the other buckets are re-bucketed on the union
 *       of both histograms' boundaries assuming values uniform within a bucket, point masses are
 *       added back as aligned buckets, each side's infinite and NaN counts as buckets of their own
 *       (so they always count as different), then the JSD of the normalised counts.
 * </ul>
 */
public final class DistributionDistance {
  private DistributionDistance() {}

  /** A distance and the label where it was largest (for L-infinity), or null. */
  public record Result(double value, String label) {}

  public static Map<String, Double> counts(RankHistogram h) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (RankHistogram.Bucket b : h.getBucketsList()) {
      out.merge(b.getLabel(), b.getSampleCount(), Double::sum);
    }
    return out;
  }

  public static Result lInfinity(Map<String, Double> p, Map<String, Double> q) {
    double pTotal = total(p);
    double qTotal = total(q);
    TreeSet<String> labels = new TreeSet<>(p.keySet());
    labels.addAll(q.keySet());
    double best = 0;
    String where = null;
    for (String label : labels) {
      double a = pTotal == 0 ? 0 : p.getOrDefault(label, 0.0) / pTotal;
      double b = qTotal == 0 ? 0 : q.getOrDefault(label, 0.0) / qTotal;
      double d = Math.abs(a - b);
      if (d > best) {
        best = d;
        where = label;
      }
    }
    return new Result(best, where);
  }

  public static Result normalizedAbsoluteDifference(Map<String, Double> p, Map<String, Double> q) {
    double sum = total(p) + total(q);
    TreeSet<String> labels = new TreeSet<>(p.keySet());
    labels.addAll(q.keySet());
    double best = 0;
    String where = null;
    for (String label : labels) {
      double d = Math.abs(p.getOrDefault(label, 0.0) - q.getOrDefault(label, 0.0));
      if (d > best) {
        best = d;
        where = label;
      }
    }
    return new Result(sum == 0 ? 0 : best / sum, where);
  }

  public static double jensenShannon(Map<String, Double> p, Map<String, Double> q) {
    TreeSet<String> labels = new TreeSet<>(p.keySet());
    labels.addAll(q.keySet());
    double[] a = new double[labels.size()];
    double[] b = new double[labels.size()];
    int i = 0;
    for (String label : labels) {
      a[i] = p.getOrDefault(label, 0.0);
      b[i] = q.getOrDefault(label, 0.0);
      i++;
    }
    return jensenShannon(a, b);
  }

  public static double jensenShannon(Histogram p, Histogram q) {
    TreeSet<Double> bounds = new TreeSet<>();
    TreeSet<Double> points = new TreeSet<>();
    for (Histogram h : List.of(p, q)) {
      for (Histogram.Bucket b : h.getBucketsList()) {
        if (!finite(b)) {
          continue;
        }
        if (b.getLowValue() == b.getHighValue()) {
          points.add(b.getLowValue());
        } else {
          bounds.add(b.getLowValue());
          bounds.add(b.getHighValue());
        }
      }
    }
    List<Double> edges = new ArrayList<>(bounds);
    List<Double> pCounts = rebucket(p, edges, points);
    List<Double> qCounts = rebucket(q, edges, points);
    // each side's infinite and NaN counts in buckets of their own
    pCounts.add(infinite(p));
    qCounts.add(0.0);
    pCounts.add(0.0);
    qCounts.add(infinite(q));
    pCounts.add((double) p.getNumNan());
    qCounts.add(0.0);
    pCounts.add(0.0);
    qCounts.add((double) q.getNumNan());
    return jensenShannon(
        pCounts.stream().mapToDouble(Double::doubleValue).toArray(),
        qCounts.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static boolean finite(Histogram.Bucket b) {
    return Double.isFinite(b.getLowValue()) && Double.isFinite(b.getHighValue());
  }

  private static double infinite(Histogram h) {
    double sum = 0;
    for (Histogram.Bucket b : h.getBucketsList()) {
      if (!finite(b)) {
        sum += b.getSampleCount();
      }
    }
    return sum;
  }

  /** Counts per interval of {@code edges} (uniform within buckets), then per point value. */
  private static List<Double> rebucket(Histogram h, List<Double> edges, TreeSet<Double> points) {
    int intervals = Math.max(0, edges.size() - 1);
    double[] counts = new double[intervals];
    TreeMap<Double, Double> pointCounts = new TreeMap<>();
    for (Histogram.Bucket b : h.getBucketsList()) {
      if (!finite(b)) {
        continue;
      }
      double lo = b.getLowValue();
      double hi = b.getHighValue();
      if (lo == hi) {
        pointCounts.merge(lo, b.getSampleCount(), Double::sum);
        continue;
      }
      for (int k = 0; k < intervals; k++) {
        double a = Math.max(lo, edges.get(k));
        double z = Math.min(hi, edges.get(k + 1));
        if (z > a) {
          counts[k] += b.getSampleCount() * (z - a) / (hi - lo);
        }
      }
    }
    List<Double> out = new ArrayList<>();
    for (double c : counts) {
      out.add(c);
    }
    for (double v : points) {
      out.add(pointCounts.getOrDefault(v, 0.0));
    }
    return out;
  }

  /** JSD (log base 2) of two count vectors, each normalised; 0 when either is empty; at most 1. */
  static double jensenShannon(double[] p, double[] q) {
    double pt = 0;
    double qt = 0;
    for (int i = 0; i < p.length; i++) {
      pt += p[i];
      qt += q[i];
    }
    if (pt <= 0 || qt <= 0) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      double a = p[i] / pt;
      double b = q[i] / qt;
      double m = (a + b) / 2;
      if (a > 0) {
        sum += 0.5 * a * log2(a / m);
      }
      if (b > 0) {
        sum += 0.5 * b * log2(b / m);
      }
    }
    return Math.min(1.0, Math.max(0.0, sum));
  }

  private static double log2(double x) {
    return StrictMath.log(x) / StrictMath.log(2);
  }

  private static double total(Map<String, Double> m) {
    double t = 0;
    for (double v : m.values()) {
      t += v;
    }
    return t;
  }
}
