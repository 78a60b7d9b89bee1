package io.featurepipe.validation.stats;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.featurepipe.transforms.aggregate.ValueOrdering;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exact counts of the distinct string values of a feature, up to a capacity; beyond it, exact
 * counts of a hash sample of the distinct values (adaptive distinct sampling).
 *
 * <p>At sampling level L a value is kept iff the top L bits of its 64-bit hash are zero, so each
 * distinct value is kept with probability 2^−L, with its exact count. Whenever more than {@code
 * capacity} values are kept, L grows by one and the values that no longer qualify are dropped. The
 * final level is the smallest L at which the whole multiset's kept values fit the capacity, and the
 * kept set is exactly the values of that level: a pure function of the multiset, whatever the order
 * of adds and merges (a merge first raises both sides to the higher level).
 *
 * <p>Error bounds: at level 0 (at most {@code capacity} distinct values) every number is exact. Above,
 * {@link #estimatedDistinct()} = kept · 2^L has a relative standard error of about
 * 1/sqrt(kept) (kept is between capacity/2 and capacity, so about 1.1% for the default 16384), and
 * the top values and rank histogram are those of the sample: counts of kept values stay exact, but
 * a frequent value may be missing from the sample.
 *
 * <p><b>Why not a library sketch:</b> Misra-Gries and space-saving heavy-hitter sketches (and HLL)
 * depend on insertion order, and statistics must be bit-identical for any bundling (DESIGN §2).
 *
 * <p>Each kept value also carries its <em>shape</em>, its WTF-8 length and whether it holds an
 * unpaired surrogate (what a string column's length sums and invalid UTF-8 count need): {@link
 * #add} returns it, scanning only a value it does not keep. The kept values sit in an
 * open-addressing table (parallel arrays, linear probing): with a {@code HashMap}, a column of ten
 * thousand users looked up once per record made {@code HashMap.getNode} the backfill's hottest
 * method, and the statistics' step took 18% of its CPU samples at 0cd4d59 against 13-15% in the
 * three runs since (docs/benchmarks.md).
 */
final class DistinctValueSample {
  private static final HashFunction HASH = Hashing.murmur3_128(0x5BE0CD19);
  private static final int FIRST_SLOTS = 16;

  private final int capacity;
  private int level;
  /** The kept values by slot ({@code null}: a free slot); the table is never more than half full. */
  private String[] values = new String[FIRST_SLOTS];
  private int[] hashCodes = new int[FIRST_SLOTS];
  private long[] hashes = new long[FIRST_SLOTS];
  private long[] counts = new long[FIRST_SLOTS];
  private long[] shapes = new long[FIRST_SLOTS];
  private int shift = 32 - Integer.numberOfTrailingZeros(FIRST_SLOTS);
  private int size;
  /**
   * The value added last, its slot ({@code -1}: not kept at this level, which stays true at every
   * higher level) and its shape. Rows of one key arrive together (feature rows hold their key's
   * columns), so most adds of such a column are the same value again: one equality check.
   */
  private String lastValue;
  private int lastSlot;
  private long lastShape;

  DistinctValueSample(int capacity) {
    this.capacity = capacity;
  }

  /** Adds one value; returns its {@linkplain #shape shape}. */
  long add(String value) {
    if (value.equals(lastValue)) {
      if (lastSlot >= 0) {
        counts[lastSlot]++;
      }
      return lastShape;
    }
    int slot;
    long shape;
    if (level == 0) {
      // every value qualifies at level 0: a kept one needs neither its hash nor a scan again
      int hashCode = value.hashCode();
      slot = find(value, hashCode);
      if (slot >= 0) {
        counts[slot]++;
        shape = shapes[slot];
      } else {
        shape = shape(value);
        slot = add(value, hashCode, hash(value), 1, shape);
      }
    } else {
      // most values of a column sampled this far are not kept: the hash decides before any lookup
      long hash = hash(value);
      shape = shape(value);
      slot = add(value, value.hashCode(), hash, 1, shape);
    }
    lastValue = value;
    lastSlot = slot;
    lastShape = shape;
    return shape;
  }

  /**
   * The value's 64-bit hash: murmur3 over its UTF-16 code units, low byte first. For a well-formed
   * string these are its UTF-16LE bytes; an unpaired surrogate is hashed as it is, not replaced.
   */
  static long hash(String value) {
    return HASH.hashUnencodedChars(value).asLong();
  }

  /**
   * A value's WTF-8 length (its UTF-8 length, an unpaired surrogate taking 3 bytes) times two, plus
   * one when it holds an unpaired surrogate.
   */
  static long shape(String value) {
    long length = 0;
    int unpaired = 0;
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        length += 3;
        if (Character.isSurrogate(c)) {
          unpaired = 1;
        }
      }
    }
    return length << 1 | unpaired;
  }

  /** Adds {@code count} of a value; its slot afterwards, or {@code -1} when it is not kept. */
  private int add(String value, int hashCode, long hash, long count, long shape) {
    if (!qualifies(hash, level)) {
      return -1;
    }
    int slot = find(value, hashCode);
    if (slot >= 0) {
      counts[slot] += count;
      return slot;
    }
    // one more kept value would pass the capacity: raise the level until the kept values, this one
    // included if it still qualifies, fit (the same kept set as adding it first; the table stays
    // within twice the capacity)
    while (size + (qualifies(hash, level) ? 1 : 0) > capacity) {
      raise(level + 1);
    }
    return qualifies(hash, level) ? put(value, hashCode, hash, count, shape) : -1;
  }

  /** The value's slot, or {@code -1} when it is not kept. */
  private int find(String value, int hashCode) {
    int mask = values.length - 1;
    for (int i = (hashCode * 0x9E3779B9) >>> shift; ; i = (i + 1) & mask) {
      String v = values[i];
      if (v == null) {
        return -1;
      }
      if (hashCodes[i] == hashCode && v.equals(value)) {
        return i;
      }
    }
  }

  /** Puts a value that is not kept into a free slot (growing the table first if need be); its slot. */
  private int put(String value, int hashCode, long hash, long count, long shape) {
    if (2 * (size + 1) > values.length) {
      rebuild(2 * values.length);
    }
    int mask = values.length - 1;
    int i = (hashCode * 0x9E3779B9) >>> shift;
    while (values[i] != null) {
      i = (i + 1) & mask;
    }
    values[i] = value;
    hashCodes[i] = hashCode;
    hashes[i] = hash;
    counts[i] = count;
    shapes[i] = shape;
    size++;
    return i;
  }

  /**
   * The table again with {@code slots} slots, holding the values that qualify at the level. Slots
   * move: the value added last is forgotten (its slot may go).
   */
  private void rebuild(int slots) {
    lastValue = null;
    String[] oldValues = values;
    int[] oldHashCodes = hashCodes;
    long[] oldHashes = hashes;
    long[] oldCounts = counts;
    long[] oldShapes = shapes;
    values = new String[slots];
    hashCodes = new int[slots];
    hashes = new long[slots];
    counts = new long[slots];
    shapes = new long[slots];
    shift = 32 - Integer.numberOfTrailingZeros(slots);
    size = 0;
    for (int i = 0; i < oldValues.length; i++) {
      if (oldValues[i] != null && qualifies(oldHashes[i], level)) {
        put(oldValues[i], oldHashCodes[i], oldHashes[i], oldCounts[i], oldShapes[i]);
      }
    }
  }

  private static boolean qualifies(long hash, int level) {
    return level == 0 || (hash >>> (64 - level)) == 0;
  }

  private void raise(int newLevel) {
    level = newLevel;
    rebuild(values.length);
  }

  void merge(DistinctValueSample o) {
    if (o.level > level) {
      raise(o.level);
    }
    for (int i = 0; i < o.values.length; i++) {
      if (o.values[i] != null) {
        add(o.values[i], o.hashCodes[i], o.hashes[i], o.counts[i], o.shapes[i]);
      }
    }
  }

  /** Whether every distinct value is kept (the counts are complete). */
  boolean exact() {
    return level == 0;
  }

  /** The fraction of distinct values kept: 2^−level. */
  double sampleRate() {
    return Math.scalb(1.0, -level);
  }

  long estimatedDistinct() {
    return level == 0 ? size : Math.round(Math.scalb((double) size, level));
  }

  /** The kept values by count descending, ties by value descending (code point order). */
  List<Map.Entry<String, Long>> ranked() {
    List<Map.Entry<String, Long>> out = new ArrayList<>(size);
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        out.add(Map.entry(values[i], counts[i]));
      }
    }
    out.sort(
        (a, b) -> {
          int c = Long.compare(b.getValue(), a.getValue());
          return c != 0 ? c : ValueOrdering.compareStrings(b.getKey(), a.getKey());
        });
    return out;
  }

  /** The level, then the kept values in code point order with their counts. */
  void write(DataOutput out) throws IOException {
    ValueCodec.writeVarLong(level, out);
    List<Integer> slots = new ArrayList<>(size);
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        slots.add(i);
      }
    }
    slots.sort((a, b) -> ValueOrdering.compareStrings(values[a], values[b]));
    ValueCodec.writeVarLong(slots.size(), out);
    for (int i : slots) {
      ValueCodec.writeString(values[i], out);
      ValueCodec.writeVarLong(counts[i], out);
    }
  }

  static DistinctValueSample read(int capacity, DataInput in) throws IOException {
    DistinctValueSample s = new DistinctValueSample(capacity);
    s.level = (int) ValueCodec.readVarLong(in);
    int n = (int) ValueCodec.readVarLong(in);
    for (int i = 0; i < n; i++) {
      String v = ValueCodec.readString(in);
      long count = ValueCodec.readVarLong(in);
      s.put(v, v.hashCode(), hash(v), count, shape(v));
    }
    return s;
  }

  DistinctValueSample copy() {
    DistinctValueSample c = new DistinctValueSample(capacity);
    c.merge(this);
    return c;
  }
}
