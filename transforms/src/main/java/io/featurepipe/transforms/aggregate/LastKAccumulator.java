package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code last_k(k)} over any column: the values of the k latest non-null events, as a {@link List},
 * latest first; an empty list when there is no non-null value. Events are ordered by (event time in
 * full nanosecond precision, then value by {@link ValueOrdering}) and form a multiset: two identical
 * (time, value) events both count. The state is exactly the k largest pairs of that multiset (kept
 * as sorted arrays), so it does not depend on the order of adds and merges. An add older than the
 * k kept events costs one comparison and allocates nothing.
 */
final class LastKAccumulator extends BaseAccumulator {
  static final int TAG = 12;
  static final int MAX_K = 1000;

  private final int k;
  private final ColumnType type;
  private long[] times; // ascending by (time, value); [0..size) used
  private Object[] values;
  private int size;

  LastKAccumulator(int k, ColumnType type) {
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("last_k needs 1 <= k <= " + MAX_K + ", not " + k);
    }
    this.k = k;
    this.type = type;
    int initial = Math.min(k, 4);
    this.times = new long[initial];
    this.values = new Object[initial];
  }

  private static int compare(long t1, Object v1, long t2, Object v2) {
    int c = Long.compare(t1, t2);
    return c != 0 ? c : ValueOrdering.compare(v1, v2);
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value != null) {
      offer(Values.checked(type, value), eventTimeNanos);
    }
  }

  private void offer(Object v, long t) {
    if (size == k && compare(t, v, times[0], values[0]) <= 0) {
      return; // not later than the earliest of a full last k (an equal pair is interchangeable)
    }
    // upper bound: the first position whose pair is greater than (t, v)
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compare(times[mid], values[mid], t, v) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (size == k) {
      System.arraycopy(times, 1, times, 0, lo - 1);
      System.arraycopy(values, 1, values, 0, lo - 1);
      times[lo - 1] = t;
      values[lo - 1] = v;
      return;
    }
    if (size == times.length) {
      int grown = Math.min(k, 2 * times.length);
      times = Arrays.copyOf(times, grown);
      values = Arrays.copyOf(values, grown);
    }
    System.arraycopy(times, lo, times, lo + 1, size - lo);
    System.arraycopy(values, lo, values, lo + 1, size - lo);
    times[lo] = t;
    values[lo] = v;
    size++;
  }

  @Override
  public void mergeFrom(Accumulator other) {
    LastKAccumulator o = sameKind(other, LastKAccumulator.class);
    if (o.k != k) {
      throw new IllegalArgumentException("cannot merge last_k(" + o.k + ") into last_k(" + k + ")");
    }
    Values.requireSameType(type, o.type);
    int n = Math.max(1, Math.min(k, size + o.size));
    long[] mt = new long[n];
    Object[] mv = new Object[n];
    int i = size - 1;
    int j = o.size - 1;
    int m = Math.min(k, size + o.size);
    int kept = m;
    while (m > 0) {
      if (j < 0 || (i >= 0 && compare(times[i], values[i], o.times[j], o.values[j]) >= 0)) {
        mt[--m] = times[i];
        mv[m] = values[i--];
      } else {
        mt[--m] = o.times[j];
        mv[m] = o.values[j--];
      }
    }
    times = mt;
    values = mv;
    size = kept;
  }

  /** The values, latest first. */
  @Override
  public Object result() {
    List<Object> out = new ArrayList<>(size);
    for (int i = size - 1; i >= 0; i--) {
      out.add(values[i]);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public LastKAccumulator copy() {
    LastKAccumulator c = new LastKAccumulator(k, type);
    c.times = times.clone();
    c.values = values.clone();
    c.size = size;
    return c;
  }

  @Override
  int tag() {
    return TAG;
  }

  @Override
  void write(DataOutput out) throws IOException {
    ValueCodec.writeVarLong(k, out);
    Values.writeType(type, out);
    ValueCodec.writeVarLong(size, out);
    for (int i = 0; i < size; i++) {
      out.writeLong(times[i]);
      ValueCodec.write(values[i], out);
    }
  }

  static LastKAccumulator read(DataInput in) throws IOException {
    int k = Values.readCount(in, MAX_K);
    if (k < 1) {
      throw new IOException("corrupt accumulator: last_k(" + k + ")");
    }
    LastKAccumulator c = new LastKAccumulator(k, Values.readType(in));
    int n = Values.readCount(in, k);
    int capacity = Math.max(n, Math.min(k, 4));
    c.times = new long[capacity];
    c.values = new Object[capacity];
    for (int i = 0; i < n; i++) {
      c.times[i] = in.readLong();
      c.values[i] = Values.readValue(c.type, in);
      if (i > 0 && compare(c.times[i - 1], c.values[i - 1], c.times[i], c.values[i]) > 0) {
        throw new IOException("corrupt accumulator: last_k events out of order");
      }
    }
    c.size = n;
    return c;
  }
}
