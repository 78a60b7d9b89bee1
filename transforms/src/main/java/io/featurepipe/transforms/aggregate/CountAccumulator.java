package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** {@code count}: the number of rows, null values included. Result {@link Long}, 0 when empty. */
final class CountAccumulator extends BaseAccumulator {
  static final int TAG = 1;

  private long count;

  @Override
  public void add(Object value, long eventTimeNanos) {
    count++;
  }

  @Override
  public void mergeFrom(Accumulator other) {
    count += sameKind(other, CountAccumulator.class).count;
  }

  @Override
  public Object result() {
    return count;
  }

  @Override
  public CountAccumulator copy() {
    CountAccumulator c = new CountAccumulator();
    c.count = count;
    return c;
  }

  @Override
  int tag() {
    return TAG;
  }

  @Override
  void write(DataOutput out) throws IOException {
    ValueCodec.writeVarLong(count, out);
  }

  static CountAccumulator read(DataInput in) throws IOException {
    CountAccumulator c = new CountAccumulator();
    c.count = ValueCodec.readVarLong(in);
    return c;
  }
}
