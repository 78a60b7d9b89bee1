package io.featurepipe.sinks.training;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hashing;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.ByteArrayOutputStream;
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

  private final BloomFilter<Long> filter;

  private LookupFilter(BloomFilter<Long> filter) {
    this.filter = filter;
  }

  /** A filter holding the lookups with these {@link #hash hashes}. */
  static LookupFilter of(long[] hashes) {
    long[] distinct = Arrays.stream(hashes).distinct().toArray();
    BloomFilter<Long> f = BloomFilter.create(Funnels.longFunnel(), Math.max(1, distinct.length), FALSE_POSITIVES);
    for (long h : distinct) {
      f.put(h);
    }
    return new LookupFilter(f);
  }

  /** Whether the lookup of {@code windowEndMillis} for {@code key} of group {@code group} may be one of them: never false for one. */
  boolean mightHold(int group, List<Object> key, long windowEndMillis) {
    return filter.mightContain(hash(group, key, windowEndMillis));
  }

  /** A 64-bit hash of a lookup: Murmur3 (128-bit, first 64) of its encoded group, key and window end. */
  static long hash(int group, List<Object> key, long windowEndMillis) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try {
      DataOutputStream out = new DataOutputStream(bytes);
      ValueCodec.writeVarLong(group, out);
      ValueCodec.write(key, out);
      ValueCodec.writeVarLong(ValueCodec.zigzag(windowEndMillis), out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Hashing.murmur3_128().hashBytes(bytes.toByteArray()).asLong();
  }

  /** Builds the filter of all the lookup hashes of a collection. */
  static final class Build extends Combine.CombineFn<Long, Hashes, LookupFilter> {
    @Override
    public Hashes createAccumulator() {
      return new Hashes(new long[16], 0);
    }

    @Override
    public Hashes addInput(Hashes acc, Long hash) {
      return acc.add(hash);
    }

    @Override
    public Hashes mergeAccumulators(Iterable<Hashes> accs) {
      Hashes merged = createAccumulator();
      for (Hashes a : accs) {
        for (int i = 0; i < a.size; i++) {
          merged = merged.add(a.values[i]);
        }
      }
      return merged.distinct();
    }

    @Override
    public LookupFilter extractOutput(Hashes acc) {
      return LookupFilter.of(Arrays.copyOf(acc.values, acc.size));
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Hashes> getAccumulatorCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Long> input) throws CannotProvideCoderException {
      return Hashes.Coder.INSTANCE;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<LookupFilter> getDefaultOutputCoder(
        CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Long> input) throws CannotProvideCoderException {
      return Coder.INSTANCE;
    }
  }

  /** The lookup hashes gathered so far (a growable array). */
  static final class Hashes {
    private long[] values;
    private int size;

    Hashes(long[] values, int size) {
      this.values = values;
      this.size = size;
    }

    /** Keeps each hash once (a lookup made by many spine rows is one lookup). */
    Hashes distinct() {
      long[] unique = Arrays.stream(values, 0, size).sorted().distinct().toArray();
      return new Hashes(unique.length == 0 ? new long[16] : unique, unique.length);
    }

    Hashes add(long h) {
      if (size == values.length) {
        values = Arrays.copyOf(values, values.length * 2);
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
      f.filter.writeTo(os);
    }

    @Override
    public LookupFilter decode(InputStream is) throws IOException {
      return new LookupFilter(BloomFilter.readFrom(is, Funnels.longFunnel()));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
