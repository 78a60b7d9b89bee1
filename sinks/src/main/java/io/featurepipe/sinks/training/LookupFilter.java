package io.featurepipe.sinks.training;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hashing;
import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * The lookups (group, entity key, window end {@code e(t)}) a spine makes, as a Bloom filter:
 * {@link #mightHold} is true for every lookup it was built from and, for about 1% of the others,
 * true as well. The join drops the offline rows nobody looks up before shuffling them (most rows
 * of a partition are of keys, or window ends, no spine row asks for); a false positive only costs
 * a shuffled row that meets no spine row.
 *
 * <p>Built by {@link Build} from the {@link #hash hashes} of the lookups of every spine row (the
 * same lookup any number of times): Guava's {@link BloomFilter} sized for the distinct lookups at
 * a 1% false-positive rate. A lookup is hashed from its encoded group, key and window end with
 * Murmur3, and Guava's filter hashes with a fixed strategy, so every runner and rerun builds the
 * same filter, whatever the order of its input.
 */
final class LookupFilter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double FALSE_POSITIVES = 0.01;
  /**
   * Distinct lookups above which the join does not filter (about 10 MB of filter, 64 MB of hashes
   * while it is built): a larger filter, sent to every worker, would cost more than the rows it
   * saves from the shuffle.
   */
  static final int MAX_LOOKUPS = 8_000_000;
  /** Lets every offline row through: the spine made more than {@link #MAX_LOOKUPS} lookups. */
  static final LookupFilter EVERYTHING = new LookupFilter(null);

  /** Null for {@link #EVERYTHING}. */
  private final BloomFilter<Long> filter;

  private LookupFilter(BloomFilter<Long> filter) {
    this.filter = filter;
  }

  /** A filter holding the lookups with these distinct {@link #hash hashes}. */
  static LookupFilter of(long[] distinct, int size) {
    BloomFilter<Long> f = BloomFilter.create(Funnels.longFunnel(), Math.max(1, size), FALSE_POSITIVES);
    for (int i = 0; i < size; i++) {
      f.put(distinct[i]);
    }
    return new LookupFilter(f);
  }

  /** Whether the lookup of {@code windowEndMillis} for {@code key} of group {@code group} may be one of them: never false for one. */
  boolean mightHold(int group, List<Object> key, long windowEndMillis) {
    return filter == null || filter.mightContain(hash(group, key, windowEndMillis));
  }

  /** A 64-bit hash of a lookup: Murmur3 (128-bit, first 64) of its encoded group, key and window end. */
  static long hash(int group, List<Object> key, long windowEndMillis) {
    EncodingBuffer bytes = new EncodingBuffer(64);
    try {
      DataOutputStream out = new DataOutputStream(bytes);
      ValueCodec.writeVarLong(group, out);
      ValueCodec.write(key, out);
      ValueCodec.writeVarLong(ValueCodec.zigzag(windowEndMillis), out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Hashing.murmur3_128().hashBytes(bytes.array(), 0, bytes.size()).asLong();
  }

  /**
   * Builds the filter of all the lookup hashes of a collection, given as partial {@link Hashes}
   * (each part of the input's distinct hashes, gathered as it was read).
   */
  static final class Build extends Combine.CombineFn<Hashes, Hashes, LookupFilter> {
    @Override
    public Hashes createAccumulator() {
      return Hashes.empty();
    }

    @Override
    public Hashes addInput(Hashes acc, Hashes part) {
      return acc.addAll(part);
    }

    @Override
    public Hashes mergeAccumulators(Iterable<Hashes> accs) {
      Hashes merged = createAccumulator();
      for (Hashes a : accs) {
        merged = merged.addAll(a);
      }
      return merged.compact();
    }

    @Override
    public LookupFilter extractOutput(Hashes acc) {
      Hashes h = acc.compact();
      return h.saturated() ? EVERYTHING : LookupFilter.of(h.values, h.size);
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Hashes> getAccumulatorCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Hashes> input) throws CannotProvideCoderException {
      return Hashes.Coder.INSTANCE;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<LookupFilter> getDefaultOutputCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Hashes> input) throws CannotProvideCoderException {
      return Coder.INSTANCE;
    }
  }

  /**
   * The distinct lookup hashes gathered so far: a growable array, sorted and made distinct whenever
   * it fills, so it holds at most twice the distinct lookups; saturated (no array) past {@link
   * #MAX_LOOKUPS}.
   */
  static final class Hashes {
    static final Hashes SATURATED = new Hashes(null, -1);

    private long[] values;
    private int size;

    Hashes(long[] values, int size) {
      this.values = values;
      this.size = size;
    }

    /** No hashes yet. */
    static Hashes empty() {
      return new Hashes(new long[16], 0);
    }

    /** Hashes held (0 when saturated); before {@link #compact()}, a hash may be held more than once. */
    int size() {
      return values == null ? 0 : size;
    }

    boolean saturated() {
      return values == null;
    }

    /** Hashes it has room for (0 when saturated). */
    int capacity() {
      return values == null ? 0 : values.length;
    }

    /** Sorted, each hash once (a lookup made by many spine rows is one lookup); saturated past the limit. */
    Hashes compact() {
      if (saturated()) {
        return this;
      }
      Arrays.sort(values, 0, size);
      int n = 0;
      for (int i = 0; i < size; i++) {
        if (n == 0 || values[i] != values[n - 1]) {
          values[n++] = values[i];
        }
      }
      size = n;
      return n > MAX_LOOKUPS ? SATURATED : this;
    }

    /** These hashes and {@code other}'s (saturated when either is). */
    Hashes addAll(Hashes other) {
      if (other.saturated()) {
        return SATURATED;
      }
      Hashes out = this;
      for (int i = 0; i < other.size; i++) {
        out = out.add(other.values[i]);
      }
      return out;
    }

    Hashes add(long h) {
      if (saturated()) {
        return this;
      }
      if (size == values.length) {
        if (compact().saturated()) {
          return SATURATED;
        }
        if (size > values.length / 2) {
          values = Arrays.copyOf(values, Math.min(2 * MAX_LOOKUPS + 2, values.length * 2));
        }
      }
      values[size++] = h;
      return this;
    }

    static final class Coder extends AtomicCoder<Hashes> {
      static final Coder INSTANCE = new Coder();

      @Override
      public void encode(Hashes h, OutputStream os) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeInt(h.size);
        for (int i = 0; i < h.size; i++) {
          out.writeLong(h.values[i]);
        }
        out.flush();
      }

      @Override
      public Hashes decode(InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        int size = in.readInt();
        if (size < 0) {
          return SATURATED;
        }
        long[] values = new long[Math.max(16, size)];
        for (int i = 0; i < size; i++) {
          values[i] = in.readLong();
        }
        return new Hashes(values, size);
      }
    }
  }

  /** Coder of the filter: Guava's own serialized form. */
  static final class Coder extends AtomicCoder<LookupFilter> {
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(LookupFilter f, OutputStream os) throws IOException {
      os.write(f.filter == null ? 0 : 1);
      if (f.filter != null) {
        f.filter.writeTo(os);
      }
    }

    @Override
    public LookupFilter decode(InputStream is) throws IOException {
      int present = is.read();
      if (present < 0) {
        throw new java.io.EOFException("a lookup filter was cut off");
      }
      return present == 0 ? EVERYTHING : new LookupFilter(BloomFilter.readFrom(is, Funnels.longFunnel()));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
