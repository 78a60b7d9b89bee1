package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code sum} over an {@code int} or {@code bool} column ({@code true} counts 1): the exact integer
 * sum as a {@link Long}; 0 when there is no non-null value.
 *
 * <p>The sum is kept exactly in 128-bit two's complement (two longs), which cannot overflow for fewer
 * than 2^64 adds, so it is order-independent and an intermediate overflow that later cancels out
 * does no harm. <b>If the final sum does not fit in a long, the result is null</b> (the value is not
 * representable; returning a wrapped or clamped number would be silently wrong).
 */
final class LongSumAccumulator extends BaseAccumulator {
  static final int TAG = 2;

  private final ColumnType type;
  private long hi;
  private long lo;

  LongSumAccumulator(ColumnType type) {
    if (type != ColumnType.INT64 && type != ColumnType.BOOL) {
      throw new IllegalArgumentException("integer sum over " + type);
    }
    this.type = type;
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value == null) {
      return;
    }
    long v;
    if (value instanceof Long l && type == ColumnType.INT64) {
      v = l;
    } else if (value instanceof Boolean b && type == ColumnType.BOOL) {
      v = b ? 1 : 0;
    } else {
      throw Values.wrongType(type, value);
    }
    add128(v >> 63, v);
  }

  private void add128(long h, long l) {
    long sum = lo + l;
    long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
    lo = sum;
    hi += h + carry;
  }

  @Override
  public void mergeFrom(Accumulator other) {
    LongSumAccumulator o = sameKind(other, LongSumAccumulator.class);
    Values.requireSameType(type, o.type);
    long h = o.hi;
    long l = o.lo;
    add128(h, l);
  }

  /** The sum as a {@link Long}, or null if it does not fit in a long. */
  @Override
  public Object result() {
    return hi == (lo >> 63) ? (Object) lo : null;
  }

  @Override
  public LongSumAccumulator copy() {
    LongSumAccumulator c = new LongSumAccumulator(type);
    c.hi = hi;
    c.lo = lo;
    return c;
  }

  @Override
  int tag() {
    return TAG;
  }

  @Override
  void write(DataOutput out) throws IOException {
    Values.writeType(type, out);
    out.writeLong(hi);
    out.writeLong(lo);
  }

  static LongSumAccumulator read(DataInput in) throws IOException {
    ColumnType type = Values.readType(in);
    LongSumAccumulator c;
    try {
      c = new LongSumAccumulator(type);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt accumulator: " + e.getMessage(), e);
    }
    c.hi = in.readLong();
    c.lo = in.readLong();
    return c;
  }
}
