package io.featurepipe.validation.stats;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.featurepipe.transforms.aggregate.ValueOrdering;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
 */
final class DistinctValueSample {
  private static final HashFunction HASH = Hashing.murmur3_128(0x5BE0CD19);

  private final int capacity;
  private final Map<String, long[]> kept = new HashMap<>(); // value -> {hash, count}
  private int level;
  /**
   * The value added last and its entry ({@code null}: not kept at this level, which stays true at
   * every higher level). Rows of one key arrive together (feature rows hold their key's columns),
   * so most adds of such a column are the same value again: one equality check, no hash lookup.
   */
  private String lastValue;
  private long[] lastEntry;

  DistinctValueSample(int capacity) {
    this.capacity = capacity;
  }

  void add(String value) {
    if (value.equals(lastValue)) {
      if (lastEntry != null) {
        lastEntry[1]++;
      }
      return;
    }
    long[] e;
    if (level > 0) {
      // most values of a column sampled this far are not kept: the hash decides before any lookup
      e = add(value, hash(value), 1);
    } else {
      e = kept.get(value);
      if (e != null) {
        e[1]++; // every value qualifies at level 0: no need to hash a kept one again
      } else {
        e = add(value, hash(value), 1);
      }
    }
    lastValue = value;
    lastEntry = e;
  }

  /**
   * The value's 64-bit hash: murmur3 over its UTF-16 code units, low byte first. For a well-formed
   * string these are its UTF-16LE bytes; an unpaired surrogate is hashed as it is, not replaced.
   */
  static long hash(String value) {
    return HASH.hashUnencodedChars(value).asLong();
  }

  /** Adds {@code count} of a value; its entry afterwards, or {@code null} when it is not kept. */
  private long[] add(String value, long hash, long count) {
    if (!qualifies(hash, level)) {
      return null;
    }
    long[] e = kept.get(value);
    if (e != null) {
      e[1] += count;
      return e;
    }
    e = new long[] {hash, count};
    kept.put(value, e);
    if (kept.size() <= capacity) {
      return e;
    }
    while (kept.size() > capacity) {
      raise(level + 1);
    }
    return qualifies(hash, level) ? e : null;
  }

  private static boolean qualifies(long hash, int level) {
    return level == 0 || (hash >>> (64 - level)) == 0;
  }

  private void raise(int newLevel) {
    level = newLevel;
    lastValue = null; // its entry may go
    lastEntry = null;
    Iterator<long[]> it = kept.values().iterator();
    while (it.hasNext()) {
      if (!qualifies(it.next()[0], level)) {
        it.remove();
      }
    }
  }

  void merge(DistinctValueSample o) {
    if (o.level > level) {
      raise(o.level);
    }
    for (Map.Entry<String, long[]> e : o.kept.entrySet()) {
      add(e.getKey(), e.getValue()[0], e.getValue()[1]);
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
    return level == 0 ? kept.size() : Math.round(Math.scalb((double) kept.size(), level));
  }

  /** The kept values by count descending, ties by value descending (code point order). */
  List<Map.Entry<String, Long>> ranked() {
    List<Map.Entry<String, Long>> out = new ArrayList<>(kept.size());
    for (Map.Entry<String, long[]> e : kept.entrySet()) {
      out.add(Map.entry(e.getKey(), e.getValue()[1]));
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
    List<String> values = new ArrayList<>(kept.keySet());
    values.sort(ValueOrdering::compareStrings);
    ValueCodec.writeVarLong(values.size(), out);
    for (String v : values) {
      ValueCodec.writeString(v, out);
      ValueCodec.writeVarLong(kept.get(v)[1], out);
    }
  }

  static DistinctValueSample read(int capacity, DataInput in) throws IOException {
    DistinctValueSample s = new DistinctValueSample(capacity);
    s.level = (int) ValueCodec.readVarLong(in);
    int n = (int) ValueCodec.readVarLong(in);
    for (int i = 0; i < n; i++) {
      String v = ValueCodec.readString(in);
      long count = ValueCodec.readVarLong(in);
      s.kept.put(v, new long[] {hash(v), count});
    }
    return s;
  }

  DistinctValueSample copy() {
    DistinctValueSample c = new DistinctValueSample(capacity);
    c.merge(this);
    return c;
  }
}
