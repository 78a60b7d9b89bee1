package io.featurepipe.validation.stats;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A mergeable quantile sketch of finite doubles with relative accuracy {@link #ALPHA}: the
 * DDSketch idea (logarithmic buckets), with exact {@code long} counts. A value x &gt; 0 falls in
 * bucket {@code i = ceil(log_γ x)}, γ = (1 + α)/(1 − α), which spans (γ^(i−1), γ^i]; negative
 * values are bucketed by |x| apart, zeros are counted apart. A merge adds counts, so the state
 * depends only on the multiset of values added, never on the order of adds and merges.
 *
 * <p>Error bound: a quantile read from the sketch is the value of the exact rank, to within a
 * relative error α = 1% (the bucket's representative {@code 2γ^i/(γ+1)} is within α of every
 * value in it). Zeros are exact.
 *
 * <p><b>Why not sketches-java's DDSketch:</b> its counts are doubles and its index mappings use
 * {@link Math#log}, whose last bit may differ between JVMs and platforms and move values across
 * bucket boundaries; statistics must be bit-identical everywhere (DESIGN §2). Here every index and
 * boundary comes from {@link StrictMath}, and counts are exact longs. The histograms need the
 * buckets themselves, which this class exposes directly.
 */
final class LogBucketSketch {
  static final double ALPHA = 0.01;
  static final double GAMMA = (1 + ALPHA) / (1 - ALPHA);
  private static final double LOG_GAMMA = StrictMath.log(GAMMA);

  private final Store positive = new Store();
  private final Store negative = new Store();
  private long zeros;

  /** Adds a finite value. */
  void add(double x) {
    if (x > 0) {
      positive.add(index(x), 1);
    } else if (x < 0) {
      negative.add(index(-x), 1);
    } else {
      zeros++;
    }
  }

  void merge(LogBucketSketch o) {
    positive.merge(o.positive);
    negative.merge(o.negative);
    zeros += o.zeros;
  }

  long count() {
    return positive.total + negative.total + zeros;
  }

  /**
   * The bucket of a finite magnitude &gt; 0 (NaN, infinities and negatives are not magnitudes: {@link
   * #add} sorts them out): {@link #strictIndex}, read from the boundaries of its binade (all doubles
   * of one exponent), which are computed from {@code strictIndex} on the binade's first use, without
   * a {@code StrictMath.log} call per value (a native call of about 19 ns: the statistics add
   * hundreds of millions of numbers in a backfill). Exact where the strict index is monotone in the
   * magnitude, as a logarithm within 1 ulp (fdlibm's bound) is but for doubles a few ulps from a
   * boundary; {@code LogBucketSketchTest} checks every boundary of every binade and its neighbours.
   */
  static int index(double magnitude) {
    int exponent = (int) (Double.doubleToRawLongBits(magnitude) >>> 52);
    if (exponent == 0) {
      return strictIndex(magnitude); // subnormal
    }
    Binade b = BINADES[exponent];
    if (b == null) {
      b = new Binade(exponent);
      BINADES[exponent] = b; // immutable (final fields): safe to publish by a plain write
    }
    return b.index(magnitude);
  }

  /** {@code ceil(log_γ x)} by {@link StrictMath#log}: the definition of the buckets. */
  static int strictIndex(double magnitude) {
    return (int) Math.ceil(StrictMath.log(magnitude) / LOG_GAMMA);
  }

  /** The binades of the normal doubles, by biased exponent (1 to 2046), filled on first use. */
  private static final Binade[] BINADES = new Binade[2047];

  /**
   * The bucket boundaries inside one binade [2^e, 2^(e+1)): its first index, and for each further
   * index the smallest double of the binade in it (then +Infinity). A binade spans about 35 buckets;
   * each of its 64 slots (the top 6 bits of the mantissa) knows how many boundaries lie at or below
   * its start, and a slot is narrower than a bucket (its end over its start at most 1 + 1/64, γ is
   * 1.0202), so at most one more boundary lies inside it: a lookup is one comparison, without a
   * branch to mispredict.
   */
  private static final class Binade {
    private static final int SLOT_BITS = 6;
    private final int first;
    private final double[] bounds;
    private final byte[] boundsBelowSlot = new byte[1 << SLOT_BITS];

    Binade(int exponent) {
      long lo = (long) exponent << 52;
      long hi = lo | ((1L << 52) - 1); // the largest double of the binade
      first = strictIndex(Double.longBitsToDouble(lo));
      int last = strictIndex(Double.longBitsToDouble(hi));
      bounds = new double[last - first + 1];
      for (int i = 0; i < last - first; i++) {
        bounds[i] = Double.longBitsToDouble(smallestWithIndexAtLeast(first + i + 1, lo, hi));
      }
      bounds[last - first] = Double.POSITIVE_INFINITY;
      for (int slot = 0; slot < boundsBelowSlot.length; slot++) {
        double start = Double.longBitsToDouble(lo | ((long) slot << (52 - SLOT_BITS)));
        double end = Double.longBitsToDouble(lo + ((long) (slot + 1) << (52 - SLOT_BITS))); // exclusive
        int k = 0;
        while (bounds[k] <= start) {
          k++;
        }
        if (k + 1 < bounds.length && bounds[k + 1] < end) { // cannot happen: a slot is narrower than a bucket
          throw new IllegalStateException("two bucket boundaries in one slot of binade " + exponent);
        }
        boundsBelowSlot[slot] = (byte) k;
      }
    }

    /** The smallest double in [lo, hi] (as bits) whose strict index is at least {@code index}. */
    private static long smallestWithIndexAtLeast(int index, long lo, long hi) {
      while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (strictIndex(Double.longBitsToDouble(mid)) >= index) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }

    int index(double magnitude) {
      int slot = (int) (Double.doubleToRawLongBits(magnitude) >>> (52 - SLOT_BITS)) & ((1 << SLOT_BITS) - 1);
      int k = boundsBelowSlot[slot];
      return first + k + (magnitude >= bounds[k] ? 1 : 0);
    }
  }

  /** The upper bound γ^i of bucket i. */
  static double upper(int index) {
    return StrictMath.pow(GAMMA, index);
  }

  /** The value every element of bucket i is within α of. */
  static double representative(int index) {
    return 2 * upper(index) / (GAMMA + 1);
  }

  /**
   * The (approximate) value of 0-based rank {@code rank} in ascending order, clamped to [min, max]
   * (the exact extremes, which the caller tracks).
   */
  double valueAtRank(long rank, double min, double max) {
    long seen = 0;
    for (int i = negative.size() - 1; i >= 0; i--) {
      seen += negative.counts[i];
      if (seen > rank) {
        return clamp(-representative(negative.offset + i), min, max);
      }
    }
    seen += zeros;
    if (seen > rank) {
      return clamp(0.0, min, max);
    }
    for (int i = 0; i < positive.size(); i++) {
      seen += positive.counts[i];
      if (seen > rank) {
        return clamp(representative(positive.offset + i), min, max);
      }
    }
    return max;
  }

  private static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }

  /** Calls {@code visitor} for every non-empty bucket, ascending by value: [low, high] and count. */
  void forEachBucket(BucketVisitor visitor) {
    for (int i = negative.size() - 1; i >= 0; i--) {
      if (negative.counts[i] != 0) {
        int idx = negative.offset + i;
        visitor.visit(-upper(idx), -upper(idx - 1), negative.counts[i]);
      }
    }
    if (zeros != 0) {
      visitor.visit(0.0, 0.0, zeros);
    }
    for (int i = 0; i < positive.size(); i++) {
      if (positive.counts[i] != 0) {
        int idx = positive.offset + i;
        visitor.visit(upper(idx - 1), upper(idx), positive.counts[i]);
      }
    }
  }

  /** Receives a bucket's value range and count. */
  @FunctionalInterface
  interface BucketVisitor {
    void visit(double low, double high, long count);
  }

  void write(DataOutput out) throws IOException {
    ValueCodec.writeVarLong(zeros, out);
    positive.write(out);
    negative.write(out);
  }

  static LogBucketSketch read(DataInput in) throws IOException {
    LogBucketSketch s = new LogBucketSketch();
    s.zeros = ValueCodec.readVarLong(in);
    s.positive.read(in);
    s.negative.read(in);
    return s;
  }

  LogBucketSketch copy() {
    LogBucketSketch c = new LogBucketSketch();
    c.merge(this);
    return c;
  }

  /** Dense counts of the bucket indices [offset, offset + counts.length), trimmed on write. */
  private static final class Store {
    private long[] counts = new long[0];
    private int offset;
    private long total;

    int size() {
      return counts.length;
    }

    void add(int index, long count) {
      if (counts.length == 0) {
        counts = new long[16];
        offset = index - 8;
      } else if (index < offset || index >= offset + counts.length) {
        int lo = Math.min(offset, index);
        int hi = Math.max(offset + counts.length, index + 1);
        int grow = Math.max(hi - lo, counts.length * 2);
        int newOffset = index < offset ? hi - grow : lo;
        long[] c = new long[grow];
        System.arraycopy(counts, 0, c, offset - newOffset, counts.length);
        counts = c;
        offset = newOffset;
      }
      counts[index - offset] += count;
      total += count;
    }

    void merge(Store o) {
      for (int i = 0; i < o.counts.length; i++) {
        if (o.counts[i] != 0) {
          add(o.offset + i, o.counts[i]);
        }
      }
    }

    /** The non-empty index range: first index, length, then the counts. */
    void write(DataOutput out) throws IOException {
      int first = 0;
      int last = counts.length - 1;
      while (first <= last && counts[first] == 0) {
        first++;
      }
      while (last >= first && counts[last] == 0) {
        last--;
      }
      int n = last - first + 1;
      ValueCodec.writeVarLong(n, out);
      if (n > 0) {
        ValueCodec.writeVarLong(ValueCodec.zigzag(offset + first), out);
        for (int i = first; i <= last; i++) {
          ValueCodec.writeVarLong(counts[i], out);
        }
      }
    }

    void read(DataInput in) throws IOException {
      int n = (int) ValueCodec.readVarLong(in);
      if (n == 0) {
        return;
      }
      offset = (int) ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      counts = new long[n];
      for (int i = 0; i < n; i++) {
        counts[i] = ValueCodec.readVarLong(in);
        total += counts[i];
      }
    }

    @Override
    public String toString() {
      return offset + Arrays.toString(counts);
    }
  }
}
