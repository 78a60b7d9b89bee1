package io.featurepipe.sinks.training;

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
 * same lookup any number of times), about 10 bits a distinct lookup. A lookup is hashed from its
 * encoded group, key and window end with a fixed hash, so every runner and rerun builds the same
 * filter, whatever the order of its input.
 */
final class LookupFilter implements Serializable {
  private static final int HASHES = 7;
  private static final int BITS_PER_BUCKET = 10;

  private final long[] bits;

  private LookupFilter(long[] bits) {
    this.bits = bits;
  }

  /** A filter holding the lookups with these {@link #hash hashes}. */
  static LookupFilter of(long[] hashes) {
    long n = Arrays.stream(hashes).distinct().count();
    long words = Math.max(1, (n * BITS_PER_BUCKET + 63) / 64);
    if (words > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("too many buckets for one filter: " + n);
    }
    long[] bits = new long[(int) words];
    long size = words * 64;
    for (long h : hashes) {
      long h2 = mix(h ^ 0x9E3779B97F4A7C15L) | 1;
      for (int i = 0; i < HASHES; i++) {
        long bit = Math.floorMod(h + i * h2, size);
        bits[(int) (bit >>> 6)] |= 1L << bit;
      }
    }
    return new LookupFilter(bits);
  }

  /** Whether the lookup of {@code windowEndMillis} for {@code key} of group {@code group} may be one of them: never false for one. */
  boolean mightHold(int group, List<Object> key, long windowEndMillis) {
    long h = hash(group, key, windowEndMillis);
    long h2 = mix(h ^ 0x9E3779B97F4A7C15L) | 1;
    long size = (long) bits.length * 64;
    for (int i = 0; i < HASHES; i++) {
      long bit = Math.floorMod(h + i * h2, size);
      if ((bits[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** A 64-bit hash of a lookup: FNV-1a of its encoded group, key and window end, mixed. */
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
    long h = 0xcbf29ce484222325L;
    for (byte x : bytes.toByteArray()) {
      h = (h ^ (x & 0xff)) * 0x100000001b3L;
    }
    return mix(h);
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb53fe1a85ec9L;
    h ^= h >>> 33;
    return h;
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

  /** Coder of the filter: its words. */
  static final class Coder extends AtomicCoder<LookupFilter> {
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(LookupFilter f, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeInt(f.bits.length);
      for (long w : f.bits) {
        out.writeLong(w);
      }
      out.flush();
    }

    @Override
    public LookupFilter decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      long[] bits = new long[in.readInt()];
      for (int i = 0; i < bits.length; i++) {
        bits[i] = in.readLong();
      }
      return new LookupFilter(bits);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
