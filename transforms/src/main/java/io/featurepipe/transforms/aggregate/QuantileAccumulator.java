package io.featurepipe.transforms.aggregate;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.Store;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Iterator;

/**
 * {@code approx_quantile(q)} over an {@code int} or {@code double} column: a DDSketch ({@code
 * com.datadoghq:sketches-java}) with relative accuracy 1% and unbounded dense stores, so a merge is
 * an addition of bucket counts and the state does not depend on the order of adds and merges. The
 * index mapping is {@link QuantileMapping}, a platform-independent version of the library's cubic
 * one. Result {@link Double}; null when there is no value.
 *
 * <p>Rank: with N values in total, the result is (an approximation of) the value of 0-based rank
 * {@code floor(q * (N - 1))} in ascending order, the lower of the two neighbours of the
 * interpolated quantile (DDSketch's definition). It is within 1% of that value, relative; exact
 * for zeros and infinities.
 *
 * <ul>
 *   <li>NaN values are skipped (they have no rank); a column of only NaNs gives null.
 *   <li>+Infinity and -Infinity are counted apart from the sketch (which cannot hold them) and
 *       ranked below and above every finite value; the result is ±Infinity when the rank falls on
 *       them.
 *   <li>{@code 0.0} and {@code -0.0} are counted as zeros and give {@code 0.0}.
 *   <li>{@code int} values are converted to the nearest double first.
 * </ul>
 */
final class QuantileAccumulator extends BaseAccumulator {
  static final int TAG = 14;

  private final double q;
  private final ColumnType type;
  private DDSketch sketch; // created on the first non-zero finite value
  private long zeros;
  private long negativeInfinities;
  private long positiveInfinities;

  QuantileAccumulator(double q, ColumnType type) {
    if (!(q > 0 && q < 1)) {
      throw new IllegalArgumentException("approx_quantile needs 0 < q < 1, not " + q);
    }
    if (type != ColumnType.INT64 && type != ColumnType.DOUBLE) {
      throw new IllegalArgumentException("approx_quantile over " + type);
    }
    this.q = q;
    this.type = type;
  }

  private static DDSketch newSketch() {
    return new DDSketch(QuantileMapping.ONE_PERCENT, UnboundedSizeDenseStore::new);
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value == null) {
      return;
    }
    double x;
    if (value instanceof Double d && type == ColumnType.DOUBLE) {
      x = d;
    } else if (value instanceof Long l && type == ColumnType.INT64) {
      x = l;
    } else {
      throw Values.wrongType(type, value);
    }
    if (x == 0) {
      zeros++;
    } else if (x - x == 0) {
      if (sketch == null) {
        sketch = newSketch();
      }
      sketch.accept(x);
    } else if (x == Double.POSITIVE_INFINITY) {
      positiveInfinities++;
    } else if (x == Double.NEGATIVE_INFINITY) {
      negativeInfinities++;
    } // NaN: skipped
  }

  @Override
  public void mergeFrom(Accumulator other) {
    QuantileAccumulator o = sameKind(other, QuantileAccumulator.class);
    if (Double.compare(o.q, q) != 0) {
      throw new IllegalArgumentException(
          "cannot merge approx_quantile(" + o.q + ") into approx_quantile(" + q + ")");
    }
    Values.requireSameType(type, o.type);
    if (o == this) {
      o = o.copy();
    }
    if (o.sketch != null) {
      if (sketch == null) {
        sketch = o.sketch.copy();
      } else {
        sketch.mergeWith(o.sketch);
      }
    }
    zeros += o.zeros;
    negativeInfinities += o.negativeInfinities;
    positiveInfinities += o.positiveInfinities;
  }

  @Override
  public Object result() {
    long negatives = sketch == null ? 0 : count(sketch.getNegativeValueStore());
    long positives = sketch == null ? 0 : count(sketch.getPositiveValueStore());
    long total = negativeInfinities + negatives + zeros + positives + positiveInfinities;
    if (total == 0) {
      return null;
    }
    // floor(q * (n - 1)) with q as written (0.29, not the double nearest to it): exact arithmetic
    long rank =
        java.math.BigDecimal.valueOf(q)
            .multiply(java.math.BigDecimal.valueOf(total - 1))
            .setScale(0, java.math.RoundingMode.FLOOR)
            .longValueExact();
    long seen = negativeInfinities;
    if (seen > rank) {
      return Double.NEGATIVE_INFINITY;
    }
    if (negatives > 0) {
      // negative values are stored by |x|: the most negative first is the highest index first
      Iterator<Bin> bins = sketch.getNegativeValueStore().getDescendingIterator();
      while (bins.hasNext()) {
        Bin bin = bins.next();
        seen += (long) bin.getCount();
        if (seen > rank) {
          return -QuantileMapping.ONE_PERCENT.value(bin.getIndex());
        }
      }
    }
    seen += zeros;
    if (seen > rank) {
      return 0.0;
    }
    if (positives > 0) {
      Iterator<Bin> bins = sketch.getPositiveValueStore().getAscendingIterator();
      while (bins.hasNext()) {
        Bin bin = bins.next();
        seen += (long) bin.getCount();
        if (seen > rank) {
          return QuantileMapping.ONE_PERCENT.value(bin.getIndex());
        }
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  private static long count(Store store) {
    return store.isEmpty() ? 0 : (long) store.getTotalCount();
  }

  @Override
  public QuantileAccumulator copy() {
    QuantileAccumulator c = new QuantileAccumulator(q, type);
    c.sketch = sketch == null ? null : sketch.copy();
    c.zeros = zeros;
    c.negativeInfinities = negativeInfinities;
    c.positiveInfinities = positiveInfinities;
    return c;
  }

  @Override
  int tag() {
    return TAG;
  }

  /**
   * q (raw bits), the type, the zero and infinity counts, then the non-empty bins of the negative
   * and of the positive store, ascending by index: their number, then per bin the index (zigzag
   * delta from the previous one) and the count.
   */
  @Override
  void write(DataOutput out) throws IOException {
    out.writeLong(Double.doubleToRawLongBits(q));
    Values.writeType(type, out);
    ValueCodec.writeVarLong(zeros, out);
    ValueCodec.writeVarLong(negativeInfinities, out);
    ValueCodec.writeVarLong(positiveInfinities, out);
    writeStore(sketch == null ? null : sketch.getNegativeValueStore(), out);
    writeStore(sketch == null ? null : sketch.getPositiveValueStore(), out);
  }

  private static void writeStore(Store store, DataOutput out) throws IOException {
    if (store == null || store.isEmpty()) {
      ValueCodec.writeVarLong(0, out);
      return;
    }
    int bins = 0;
    for (Iterator<Bin> it = store.getAscendingIterator(); it.hasNext(); ) {
      if (it.next().getCount() != 0) {
        bins++;
      }
    }
    ValueCodec.writeVarLong(bins, out);
    long previous = 0;
    for (Iterator<Bin> it = store.getAscendingIterator(); it.hasNext(); ) {
      Bin bin = it.next();
      double count = bin.getCount();
      if (count != 0) {
        ValueCodec.writeVarLong(ValueCodec.zigzag(bin.getIndex() - previous), out);
        ValueCodec.writeVarLong((long) count, out);
        previous = bin.getIndex();
      }
    }
  }

  private static void readStore(Store store, DataInput in) throws IOException {
    int bins = Values.readCount(in, 1 << 20);
    long index = 0;
    for (int i = 0; i < bins; i++) {
      index += ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      long count = ValueCodec.readVarLong(in);
      if (count <= 0 || index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
        throw new IOException("corrupt quantile sketch: bin " + index + " count " + count);
      }
      store.add((int) index, count);
    }
  }

  static QuantileAccumulator read(DataInput in) throws IOException {
    double q = Double.longBitsToDouble(in.readLong());
    ColumnType type = Values.readType(in);
    QuantileAccumulator c;
    try {
      c = new QuantileAccumulator(q, type);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt accumulator: " + e.getMessage(), e);
    }
    c.zeros = ValueCodec.readVarLong(in);
    c.negativeInfinities = ValueCodec.readVarLong(in);
    c.positiveInfinities = ValueCodec.readVarLong(in);
    DDSketch sketch = newSketch();
    readStore(sketch.getNegativeValueStore(), in);
    readStore(sketch.getPositiveValueStore(), in);
    c.sketch = sketch.isEmpty() ? null : sketch;
    return c;
  }
}
