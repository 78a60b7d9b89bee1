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
 * {@code top_k(k)} over any column: the k largest <b>distinct</b> non-null values by {@link
 * ValueOrdering}, as a {@link List}, largest first; an empty list when there is no non-null value.
 * The state is exactly that set (kept as a sorted array), so it does not depend on the order of adds
 * and merges. An add that does not enter the top k costs one comparison and allocates nothing.
 */
final class TopKAccumulator extends BaseAccumulator {
  static final int TAG = 11;
  static final int MAX_K = 1000;

  private final int k;
  private final ColumnType type;
  private Object[] values; // ascending, distinct; values[0..size) are used
  private int size;

  TopKAccumulator(int k, ColumnType type) {
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("top_k needs 1 <= k <= " + MAX_K + ", not " + k);
    }
    this.k = k;
    this.type = type;
    this.values = new Object[Math.min(k, 4)];
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value != null) {
      offer(Values.checked(type, value));
    }
  }

  private void offer(Object v) {
    Object[] a = values;
    if (size == k && ValueOrdering.compare(v, a[0]) <= 0) {
      return; // not above the smallest of a full top k (or equal to it)
    }
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = ValueOrdering.compare(a[mid], v);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return; // already present
      }
    }
    // lo is the insertion point
    if (size == k) {
      System.arraycopy(a, 1, a, 0, lo - 1); // drop the smallest
      a[lo - 1] = v;
      return;
    }
    if (size == a.length) {
      a = values = Arrays.copyOf(a, Math.min(k, 2 * a.length));
    }
    System.arraycopy(a, lo, a, lo + 1, size - lo);
    a[lo] = v;
    size++;
  }

  @Override
  public void mergeFrom(Accumulator other) {
    TopKAccumulator o = sameKind(other, TopKAccumulator.class);
    if (o.k != k) {
      throw new IllegalArgumentException("cannot merge top_k(" + o.k + ") into top_k(" + k + ")");
    }
    Values.requireSameType(type, o.type);
    // Merge the two ascending arrays from the top down, keeping k distinct values.
    Object[] a = values;
    Object[] b = o.values;
    int i = size - 1;
    int j = o.size - 1;
    int n = Math.min(k, size + o.size);
    Object[] merged = new Object[n];
    int m = n; // fill merged[m-1], merged[m-2], ...
    while (m > 0 && (i >= 0 || j >= 0)) {
      Object next;
      if (j < 0) {
        next = a[i--];
      } else if (i < 0) {
        next = b[j--];
      } else {
        int c = ValueOrdering.compare(a[i], b[j]);
        if (c > 0) {
          next = a[i--];
        } else if (c < 0) {
          next = b[j--];
        } else {
          next = a[i--];
          j--;
        }
      }
      merged[--m] = next;
    }
    size = n - m;
    if (m > 0) {
      System.arraycopy(merged, m, merged, 0, size);
      Arrays.fill(merged, size, n, null);
    }
    values = merged.length == 0 ? new Object[1] : merged;
  }

  /** The values, largest first. */
  @Override
  public Object result() {
    List<Object> out = new ArrayList<>(size);
    for (int i = size - 1; i >= 0; i--) {
      out.add(values[i]);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public TopKAccumulator copy() {
    TopKAccumulator c = new TopKAccumulator(k, type);
    c.values = values.clone(); // the values themselves are immutable
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
      ValueCodec.write(values[i], out);
    }
  }

  static TopKAccumulator read(DataInput in) throws IOException {
    int k = Values.readCount(in, MAX_K);
    if (k < 1) {
      throw new IOException("corrupt accumulator: top_k(" + k + ")");
    }
    TopKAccumulator c = new TopKAccumulator(k, Values.readType(in));
    int n = Values.readCount(in, k);
    c.values = new Object[Math.max(n, Math.min(k, 4))];
    for (int i = 0; i < n; i++) {
      c.values[i] = Values.readValue(c.type, in);
      if (i > 0 && ValueOrdering.compare(c.values[i - 1], c.values[i]) >= 0) {
        throw new IOException("corrupt accumulator: top_k values out of order");
      }
    }
    c.size = n;
    return c;
  }
}
