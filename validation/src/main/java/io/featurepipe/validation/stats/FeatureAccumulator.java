package io.featurepipe.validation.stats;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.AccumulatorCoder;
import io.featurepipe.transforms.aggregate.Aggregators;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import io.featurepipe.validation.columns.Column;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mergeable statistics state of one column: presence and value counts, and either numeric
 * state (exact counts, extremes and moments, a {@link LogBucketSketch}) or string state (a {@link
 * DistinctValueSample}, exact length sums). Everything is exact or an order-independent sketch, so
 * the state and its encoding depend only on the multiset of values added.
 *
 * <p>Numbers: {@code int}, {@code bool} (0/1) and {@code timestamp} (epoch milliseconds, floored)
 * columns are INT statistics, {@code double} columns FLOAT statistics. NaN values are counted apart
 * ({@code num_nan}) and take part in nothing else; infinities count in min/max but not in the mean,
 * standard deviation and quantiles, and go to point buckets of the histograms.
 */
final class FeatureAccumulator {
  final Column column;
  final boolean numeric;

  long present;
  long totalValues;
  long minValues = Long.MAX_VALUE;
  long maxValues;
  /** Per present example: number of values → examples; read it through {@link #valueCounts()}. */
  private final TreeMap<Long, Long> valueCounts = new TreeMap<>();
  /** Examples with exactly one value (every example of a scalar column) not yet in {@link #valueCounts}. */
  private long singleValued;

  long numbers; // non-NaN numeric values, infinities included
  long nan;
  long zeros;
  long positiveInfinities;
  long negativeInfinities;
  double finiteMin = Double.POSITIVE_INFINITY;
  double finiteMax = Double.NEGATIVE_INFINITY;
  /** The exact moments (count, sum, sum of squares); the mean is read from them ({@link #mean}). */
  Accumulator variance;
  LogBucketSketch sketch;

  DistinctValueSample sample;
  long totalLength;
  long invalidUtf8;

  FeatureAccumulator(Column column, int distinctCapacity) {
    this.column = column;
    this.numeric = column.type() != ColumnType.STRING;
    if (numeric) {
      ColumnType exactType = column.type() == ColumnType.DOUBLE ? ColumnType.DOUBLE : ColumnType.INT64;
      variance = Aggregators.create(Aggregation.of(AggregationKind.VARIANCE), exactType);
      sketch = new LogBucketSketch();
    } else {
      sample = new DistinctValueSample(distinctCapacity);
    }
  }

  /** Adds one example's value of the column: null (missing), a scalar, or a list for list columns. */
  void add(Object value) {
    if (value == null) {
      return;
    }
    present++;
    if (column.list()) {
      if (!(value instanceof List<?> list)) {
        throw wrongType(value);
      }
      countValues(list.size());
      for (Object v : list) {
        if (v != null) {
          addValue(v);
        }
      }
    } else {
      countValues(1);
      addValue(value);
    }
  }

  private void countValues(long n) {
    totalValues += n;
    minValues = Math.min(minValues, n);
    maxValues = Math.max(maxValues, n);
    if (n == 1) {
      singleValued++; // a boxed TreeMap merge per value of every column was a visible share of statistics
    } else {
      valueCounts.merge(n, 1L, Long::sum);
    }
  }

  /** Per present example: number of values → examples. */
  TreeMap<Long, Long> valueCounts() {
    if (singleValued > 0) {
      valueCounts.merge(1L, singleValued, Long::sum);
      singleValued = 0;
    }
    return valueCounts;
  }

  private void addValue(Object v) {
    switch (column.type()) {
      case STRING -> addString(v);
      case DOUBLE -> addDouble(v);
      case INT64 -> addLong(asType(v, Long.class));
      case BOOL -> addLong(asType(v, Boolean.class) ? ONE : ZERO);
      case TIMESTAMP -> addLong(Long.valueOf(Math.floorDiv(asType(v, Long.class), 1_000_000L)));
      default -> throw wrongType(v);
    }
  }

  private void addString(Object v) {
    long shape = sample.add(asType(v, String.class)); // its length, scanned once per kept value
    totalLength += shape >>> 1;
    invalidUtf8 += shape & 1;
  }

  private void addDouble(Object v) {
    Double boxed = asType(v, Double.class); // given to the moment accumulator as it is: no boxing per value
    double x = boxed;
    if (Double.isNaN(x)) {
      nan++;
      return;
    }
    numbers++;
    if (x == Double.POSITIVE_INFINITY) {
      positiveInfinities++;
      return;
    }
    if (x == Double.NEGATIVE_INFINITY) {
      negativeInfinities++;
      return;
    }
    if (x == 0) {
      zeros++;
      x = 0.0; // -0.0 and 0.0 are one value here
      boxed = ZERO_DOUBLE;
    }
    finiteMin = Math.min(finiteMin, x);
    finiteMax = Math.max(finiteMax, x);
    variance.add(boxed, 0);
    sketch.add(x);
  }

  private static final Long ZERO = 0L;
  private static final Long ONE = 1L;
  private static final Double ZERO_DOUBLE = 0.0;

  /** Adds a number of an INT statistics column, boxed once (the moment accumulator takes it as it is). */
  private void addLong(Long boxed) {
    long x = boxed;
    numbers++;
    if (x == 0) {
      zeros++;
    }
    double d = x;
    finiteMin = Math.min(finiteMin, d);
    finiteMax = Math.max(finiteMax, d);
    variance.add(boxed, 0);
    sketch.add(d);
  }

  private <V> V asType(Object v, Class<V> type) {
    if (!type.isInstance(v)) {
      throw wrongType(v);
    }
    return type.cast(v);
  }

  private IllegalArgumentException wrongType(Object v) {
    return new IllegalArgumentException(
        "column '" + column.name() + "' is " + (column.list() ? "a list of " : "")
            + column.type().yamlName() + " but got " + v.getClass().getSimpleName() + " " + v);
  }

  void merge(FeatureAccumulator o) {
    present += o.present;
    totalValues += o.totalValues;
    minValues = Math.min(minValues, o.minValues);
    maxValues = Math.max(maxValues, o.maxValues);
    singleValued += o.singleValued;
    o.valueCounts.forEach((k, v) -> valueCounts.merge(k, v, Long::sum));
    if (numeric) {
      numbers += o.numbers;
      nan += o.nan;
      zeros += o.zeros;
      positiveInfinities += o.positiveInfinities;
      negativeInfinities += o.negativeInfinities;
      finiteMin = Math.min(finiteMin, o.finiteMin);
      finiteMax = Math.max(finiteMax, o.finiteMax);
      variance.mergeFrom(o.variance);
      sketch.merge(o.sketch);
    } else {
      sample.merge(o.sample);
      totalLength += o.totalLength;
      invalidUtf8 += o.invalidUtf8;
    }
  }

  /** The mean accumulator of the finite values (read from the variance's exact sum). */
  Accumulator mean() {
    return Aggregators.meanOf(variance);
  }

  /** Finite values: those in the sketch and the moments. */
  long finiteCount() {
    return numbers - positiveInfinities - negativeInfinities;
  }

  void write(DataOutput out) throws IOException {
    ValueCodec.writeVarLong(present, out);
    ValueCodec.writeVarLong(totalValues, out);
    ValueCodec.writeVarLong(minValues, out);
    ValueCodec.writeVarLong(maxValues, out);
    TreeMap<Long, Long> counts = valueCounts();
    ValueCodec.writeVarLong(counts.size(), out);
    for (Map.Entry<Long, Long> e : counts.entrySet()) {
      ValueCodec.writeVarLong(e.getKey(), out);
      ValueCodec.writeVarLong(e.getValue(), out);
    }
    if (numeric) {
      for (long n : new long[] {numbers, nan, zeros, positiveInfinities, negativeInfinities}) {
        ValueCodec.writeVarLong(n, out);
      }
      out.writeLong(Double.doubleToRawLongBits(finiteMin));
      out.writeLong(Double.doubleToRawLongBits(finiteMax));
      writeBytes(AccumulatorCoder.toBytes(mean()), out); // derivable, kept: the encoding stays as it was
      writeBytes(AccumulatorCoder.toBytes(variance), out);
      sketch.write(out);
    } else {
      sample.write(out);
      ValueCodec.writeVarLong(totalLength, out);
      ValueCodec.writeVarLong(invalidUtf8, out);
    }
  }

  static FeatureAccumulator read(Column column, int distinctCapacity, DataInput in)
      throws IOException {
    FeatureAccumulator a = new FeatureAccumulator(column, distinctCapacity);
    a.present = ValueCodec.readVarLong(in);
    a.totalValues = ValueCodec.readVarLong(in);
    a.minValues = ValueCodec.readVarLong(in);
    a.maxValues = ValueCodec.readVarLong(in);
    long n = ValueCodec.readVarLong(in);
    for (long i = 0; i < n; i++) {
      a.valueCounts.put(ValueCodec.readVarLong(in), ValueCodec.readVarLong(in));
    }
    if (a.numeric) {
      a.numbers = ValueCodec.readVarLong(in);
      a.nan = ValueCodec.readVarLong(in);
      a.zeros = ValueCodec.readVarLong(in);
      a.positiveInfinities = ValueCodec.readVarLong(in);
      a.negativeInfinities = ValueCodec.readVarLong(in);
      a.finiteMin = Double.longBitsToDouble(in.readLong());
      a.finiteMax = Double.longBitsToDouble(in.readLong());
      // the mean's accumulator, the variance's values without their squares: checked, not kept
      AccumulatorCoder.fromBytes(readBytes(in));
      a.variance = AccumulatorCoder.fromBytes(readBytes(in));
      a.sketch = LogBucketSketch.read(in);
    } else {
      a.sample = DistinctValueSample.read(distinctCapacity, in);
      a.totalLength = ValueCodec.readVarLong(in);
      a.invalidUtf8 = ValueCodec.readVarLong(in);
    }
    return a;
  }

  private static void writeBytes(byte[] bytes, DataOutput out) throws IOException {
    ValueCodec.writeVarLong(bytes.length, out);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInput in) throws IOException {
    byte[] b = new byte[(int) ValueCodec.readVarLong(in)];
    in.readFully(b);
    return b;
  }
}
