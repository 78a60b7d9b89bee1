package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.record.Wtf8;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * {@code approx_count_distinct} over any column: a KMV ("k minimum values") sketch with k = 1024.
 *
 * <p>Each non-null value is hashed to 64 bits: the first 64 bits of Guava's {@code murmur3_128}
 * with a fixed seed over the value's canonical bytes, its {@link ValueCodec} encoding (NaN
 * canonicalised; {@code -0.0} and {@code 0.0} are distinct values, as in {@link ValueOrdering}).
 * {@link Murmur3} computes that hash without allocation; the tests check it against Guava. The
 * sketch keeps the k smallest distinct hashes, as unsigned numbers. With fewer than k of them the
 * result is their number (exact, barring 64-bit hash collisions); otherwise it is the standard KMV
 * estimate (k − 1) / U, where U is the k-th smallest hash as a fraction of 2^64, rounded to a
 * {@link Long} (relative standard error about 1/sqrt(k − 2), ~3%). 0 when empty.
 *
 * <p><b>Why our own sketch:</b> DESIGN demands bit-identical results for any order of adds and
 * merges. The state here is a pure function of the set of distinct values (the k smallest hashes
 * of that set), so it is order-independent by construction, and so are its encoding and its
 * estimate. Library HLL and Theta sketches keep estimator state that depends on insertion and merge
 * order (e.g. HIP accumulators, or a mode and a theta that change along the way), so their
 * estimates can differ in the last bits between runs that saw the same values.
 *
 * <p>An add whose hash is not among the k smallest costs one hash and one comparison.
 */
final class DistinctCountAccumulator extends BaseAccumulator {
  static final int TAG = 13;
  /** The number of minimum hashes kept. */
  static final int K = 1024;
  /** The seed of the hash; changing it changes every estimate (a new feature version). */
  static final int SEED = 0x6A09E667;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64]);

  private final ColumnType type;
  private long[] hashes; // ascending as unsigned, distinct; [0..size) used
  private int size;

  DistinctCountAccumulator(ColumnType type) {
    this.type = type;
    this.hashes = new long[8];
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value != null) {
      offer(hash(Values.checked(type, value)));
    }
  }

  private void offer(long h) {
    long[] a = hashes;
    if (size == K && Long.compareUnsigned(h, a[K - 1]) >= 0) {
      return;
    }
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(a[mid], h);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return;
      }
    }
    if (size == K) {
      System.arraycopy(a, lo, a, lo + 1, K - 1 - lo); // the largest falls off
      a[lo] = h;
      return;
    }
    if (size == a.length) {
      a = hashes = Arrays.copyOf(a, Math.min(K, 2 * a.length));
    }
    System.arraycopy(a, lo, a, lo + 1, size - lo);
    a[lo] = h;
    size++;
  }

  @Override
  public void mergeFrom(Accumulator other) {
    DistinctCountAccumulator o = sameKind(other, DistinctCountAccumulator.class);
    Values.requireSameType(type, o.type);
    long[] a = hashes;
    long[] b = o.hashes;
    int n = Math.min(K, size + o.size);
    long[] merged = new long[Math.max(8, n)];
    int i = 0;
    int j = 0;
    int m = 0;
    while (m < K && (i < size || j < o.size)) {
      long next;
      if (j >= o.size) {
        next = a[i++];
      } else if (i >= size) {
        next = b[j++];
      } else {
        int c = Long.compareUnsigned(a[i], b[j]);
        if (c < 0) {
          next = a[i++];
        } else if (c > 0) {
          next = b[j++];
        } else {
          next = a[i++];
          j++;
        }
      }
      merged[m++] = next;
    }
    hashes = merged;
    size = m;
  }

  /** The exact count below k distinct hashes, else the KMV estimate; a {@link Long}. */
  @Override
  public Object result() {
    if (size < K) {
      return (long) size;
    }
    double u = unsignedToDouble(hashes[K - 1]) * 0x1p-64;
    return Math.round((K - 1) / u);
  }

  static double unsignedToDouble(long h) {
    if (h >= 0) {
      return h;
    }
    return ((double) ((h >>> 1) | (h & 1))) * 2.0; // correctly rounded
  }

  /**
   * The first 64 bits of Guava's {@code murmur3_128(SEED)} over the value's {@link ValueCodec}
   * bytes (computed by {@link Murmur3}, without allocation).
   */
  static long hash(Object v) {
    byte[] buf = SCRATCH.get();
    int len;
    if (v instanceof Long l) {
      buf[0] = 1;
      len = putVarLong(buf, 1, ValueCodec.zigzag(l));
    } else if (v instanceof Double d) {
      buf[0] = 2;
      long bits = Double.doubleToRawLongBits(d);
      for (int i = 0; i < 8; i++) {
        buf[1 + i] = (byte) (bits >>> (56 - 8 * i));
      }
      len = 9;
    } else if (v instanceof Boolean b) {
      buf[0] = 4;
      buf[1] = (byte) (b ? 1 : 0);
      len = 2;
    } else if (v instanceof String s) {
      int utf8 = Wtf8.length(s);
      if (buf.length < utf8 + 11) {
        buf = new byte[Math.max(utf8 + 11, 2 * buf.length)];
        SCRATCH.set(buf);
      }
      buf[0] = 3;
      len = Wtf8.encode(s, buf, putVarLong(buf, 1, utf8));
    } else {
      throw new IllegalArgumentException("not a featurepipe value: " + v);
    }
    return Murmur3.hash64(buf, len, SEED);
  }

  private static int putVarLong(byte[] buf, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
    return pos;
  }

  @Override
  public DistinctCountAccumulator copy() {
    DistinctCountAccumulator c = new DistinctCountAccumulator(type);
    c.hashes = hashes.clone();
    c.size = size;
    return c;
  }

  @Override
  int tag() {
    return TAG;
  }

  @Override
  void write(DataOutput out) throws IOException {
    Values.writeType(type, out);
    ValueCodec.writeVarLong(size, out);
    for (int i = 0; i < size; i++) {
      out.writeLong(hashes[i]);
    }
  }

  static DistinctCountAccumulator read(DataInput in) throws IOException {
    DistinctCountAccumulator c = new DistinctCountAccumulator(Values.readType(in));
    int n = Values.readCount(in, K);
    c.hashes = new long[Math.max(8, n)];
    for (int i = 0; i < n; i++) {
      c.hashes[i] = in.readLong();
      if (i > 0 && Long.compareUnsigned(c.hashes[i - 1], c.hashes[i]) >= 0) {
        throw new IOException("corrupt accumulator: KMV hashes out of order");
      }
    }
    c.size = n;
    return c;
  }
}
