package io.featurepipe.benchmarks.offline;

import io.featurepipe.benchmarks.offline.BenchFeatures.Feature;
import io.featurepipe.benchmarks.offline.BenchFeatures.Group;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain-Java baseline's state for one key of one group: one tile per hop of the backfill's
 * event range (dense arrays: count, exact sum of cents, min, max, latest amount and its time), and
 * the sliding windows over them, {@code [e - W, e)} for every window end {@code e} of the range.
 * Written for the benchmark rather than reusing featurepipe's accumulators, so that it is an
 * independent computation of the same definition.
 */
final class HourlyTiles {
  private final int[] count;
  private final long[] cents;
  private final double[] min;
  private final double[] max;
  private final long[] lastNanos;
  private final double[] last;

  HourlyTiles(int hops) {
    count = new int[hops];
    cents = new long[hops];
    min = new double[hops];
    max = new double[hops];
    lastNanos = new long[hops];
    last = new double[hops];
  }

  /** Adds a payment to the tile of hop {@code hop} (an index into the range). */
  void add(int hop, long tNanos, double amount) {
    if (count[hop] == 0) {
      min[hop] = amount;
      max[hop] = amount;
      lastNanos[hop] = tNanos;
      last[hop] = amount;
    } else {
      min[hop] = Math.min(min[hop], amount);
      max[hop] = Math.max(max[hop], amount);
      // the latest event wins; at the same instant the larger amount (DESIGN §2's tie rule)
      if (tNanos > lastNanos[hop] || (tNanos == lastNanos[hop] && amount > last[hop])) {
        lastNanos[hop] = tNanos;
        last[hop] = amount;
      }
    }
    count[hop]++;
    cents[hop] += Math.round(amount * 100);
  }

  /** Receives the rows of a key: the window end's index into the range and the feature values. */
  interface RowSink {
    void row(int end, Object[] values) throws Exception;
  }

  /**
   * Emits a row for every window end index in {@code [firstEnd, count)} whose longest window holds
   * a payment, with the group's feature values in order.
   */
  void rows(Group group, int firstEnd, RowSink sink) throws Exception {
    int hops = count.length;
    long[] countSums = new long[hops + 1];
    long[] centSums = new long[hops + 1];
    int[] latest = new int[hops + 1];
    latest[0] = -1;
    for (int i = 0; i < hops; i++) {
      countSums[i + 1] = countSums[i] + count[i];
      centSums[i + 1] = centSums[i] + cents[i];
      latest[i + 1] = count[i] > 0 ? i : latest[i];
    }
    Map<Integer, double[]> mins = new HashMap<>();
    Map<Integer, double[]> maxes = new HashMap<>();
    List<Feature> features = group.features();
    for (Feature f : features) {
      switch (f.agg()) {
        case MIN -> mins.computeIfAbsent(f.windowHops(), w -> sliding(min, w, false));
        case MAX -> maxes.computeIfAbsent(f.windowHops(), w -> sliding(max, w, true));
        default -> { }
      }
    }
    int longest = BenchFeatures.LONGEST_HOPS;
    for (int e = firstEnd; e < hops; e++) {
      if (countSums[e] - countSums[e - longest] == 0) {
        continue;
      }
      Object[] values = new Object[features.size()];
      for (int i = 0; i < values.length; i++) {
        Feature f = features.get(i);
        int from = e - f.windowHops();
        long n = countSums[e] - countSums[from];
        long c = centSums[e] - centSums[from];
        values[i] = switch (f.agg()) {
          case COUNT -> n;
          case SUM -> c / 100.0;
          case MEAN -> n == 0 ? null : c / (100.0 * n);
          case MIN -> n == 0 ? null : mins.get(f.windowHops())[e];
          case MAX -> n == 0 ? null : maxes.get(f.windowHops())[e];
          case LAST -> latest[e] >= from ? last[latest[e]] : null;
        };
      }
      sink.row(e, values);
    }
  }

  /**
   * The min (or max) of the non-empty tiles in {@code [e - w, e)} for every {@code e}: a monotonic
   * deque, so each tile enters and leaves once.
   */
  private double[] sliding(double[] v, int w, boolean largest) {
    double[] out = new double[v.length + 1];
    Deque<Integer> deque = new ArrayDeque<>();
    for (int e = 1; e <= v.length; e++) {
      int in = e - 1;
      if (count[in] > 0) {
        while (!deque.isEmpty() && (largest ? v[deque.peekLast()] <= v[in] : v[deque.peekLast()] >= v[in])) {
          deque.pollLast();
        }
        deque.addLast(in);
      }
      while (!deque.isEmpty() && deque.peekFirst() < e - w) {
        deque.pollFirst();
      }
      out[e] = deque.isEmpty() ? Double.NaN : v[deque.peekFirst()];
    }
    return out;
  }
}
