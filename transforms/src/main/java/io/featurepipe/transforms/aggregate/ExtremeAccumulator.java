package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code min} and {@code max} over any column: the smallest or largest non-null value by {@link
 * ValueOrdering} (so a NaN is the max of doubles that contain one, and {@code -0.0 < 0.0}); null
 * when there is no non-null value. Result of the column's type.
 */
final class ExtremeAccumulator extends BaseAccumulator {
  static final int TAG_MIN = 7;
  static final int TAG_MAX = 8;

  private final boolean max;
  private final ColumnType type;
  private Object best;

  ExtremeAccumulator(boolean max, ColumnType type) {
    this.max = max;
    this.type = type;
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value != null) {
      offer(Values.checked(type, value));
    }
  }

  private void offer(Object v) {
    if (best == null) {
      best = v;
      return;
    }
    int c = ValueOrdering.compare(v, best);
    if (max ? c > 0 : c < 0) {
      best = v;
    }
  }

  @Override
  public void mergeFrom(Accumulator other) {
    ExtremeAccumulator o = sameKind(other, ExtremeAccumulator.class);
    if (o.max != max) {
      throw new IllegalArgumentException("cannot merge min and max");
    }
    Values.requireSameType(type, o.type);
    if (o.best != null) {
      offer(o.best);
    }
  }

  @Override
  public Object result() {
    return best;
  }

  @Override
  public ExtremeAccumulator copy() {
    ExtremeAccumulator c = new ExtremeAccumulator(max, type);
    c.best = best; // values are immutable
    return c;
  }

  @Override
  int tag() {
    return max ? TAG_MAX : TAG_MIN;
  }

  @Override
  void write(DataOutput out) throws IOException {
    Values.writeType(type, out);
    ValueCodec.write(best, out);
  }

  static ExtremeAccumulator read(boolean max, DataInput in) throws IOException {
    ExtremeAccumulator c = new ExtremeAccumulator(max, Values.readType(in));
    Object v = ValueCodec.read(in);
    c.best = v == null ? null : Values.checked(c.type, v);
    return c;
  }
}
