package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code first} and {@code last} over any column: the value of the smallest ({@code first}) or
 * largest ({@code last}) (event time, value) pair among the non-null values, event time in full
 * nanosecond precision first, then the value by {@link ValueOrdering}, so ties on time are broken
 * the same way in every run. Null when there is no non-null value. Result of the column's type.
 */
final class FirstLastAccumulator extends BaseAccumulator {
  static final int TAG_FIRST = 9;
  static final int TAG_LAST = 10;

  private final boolean last;
  private final ColumnType type;
  private long time;
  private Object value; // null while empty

  FirstLastAccumulator(boolean last, ColumnType type) {
    this.last = last;
    this.type = type;
  }

  @Override
  public void add(Object v, long eventTimeNanos) {
    if (v != null) {
      offer(Values.checked(type, v), eventTimeNanos);
    }
  }

  private void offer(Object v, long t) {
    if (value == null) {
      value = v;
      time = t;
      return;
    }
    int c = Long.compare(t, time);
    if (c == 0) {
      c = ValueOrdering.compare(v, value);
    }
    if (last ? c > 0 : c < 0) {
      value = v;
      time = t;
    }
  }

  @Override
  public void mergeFrom(Accumulator other) {
    FirstLastAccumulator o = sameKind(other, FirstLastAccumulator.class);
    if (o.last != last) {
      throw new IllegalArgumentException("cannot merge first and last");
    }
    Values.requireSameType(type, o.type);
    if (o.value != null) {
      offer(o.value, o.time);
    }
  }

  @Override
  public Object result() {
    return value;
  }

  @Override
  public FirstLastAccumulator copy() {
    FirstLastAccumulator c = new FirstLastAccumulator(last, type);
    c.time = time;
    c.value = value;
    return c;
  }

  @Override
  int tag() {
    return last ? TAG_LAST : TAG_FIRST;
  }

  @Override
  void write(DataOutput out) throws IOException {
    Values.writeType(type, out);
    ValueCodec.write(value, out);
    if (value != null) {
      out.writeLong(time);
    }
  }

  static FirstLastAccumulator read(boolean last, DataInput in) throws IOException {
    FirstLastAccumulator c = new FirstLastAccumulator(last, Values.readType(in));
    Object v = ValueCodec.read(in);
    if (v != null) {
      c.value = Values.checked(c.type, v);
      c.time = in.readLong();
    }
    return c;
  }
}
