package io.featurepipe.transforms.aggregate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * The Beam coder of every {@link Accumulator} made by {@link Aggregators}: self-describing and
 * deterministic.
 *
 * <p>Format: a format version byte (1), the accumulator's tag (which also names the aggregation:
 * count, integer sum, double sum, mean, variance, stddev, min, max, first, last,
 * approx_count_distinct, approx_quantile, top_k, last_k), its parameters (input column type, k,
 * q) and its state. The state is canonical (a function of the multiset of added (value, event time)
 * pairs only, never of the order of adds and merges), so equal contents encode to equal bytes; the
 * encoding is self-delimiting, so accumulators can be nested in other coders. Decoding gives an
 * accumulator whose {@code result()}, further adds and merges are exactly those of the original.
 */
public final class AccumulatorCoder extends AtomicCoder<Accumulator> {
  private static final long serialVersionUID = 1L;
  private static final int FORMAT_VERSION = 1;
  private static final AccumulatorCoder INSTANCE = new AccumulatorCoder();

  private AccumulatorCoder() {}

  public static AccumulatorCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Accumulator value, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    write(value, out);
    out.flush();
  }

  /**
   * Writes {@link #encode}'s bytes to {@code out}: for a caller that writes many accumulators
   * through one stream (a tile's slots), without a stream per accumulator.
   */
  public static void write(Accumulator value, DataOutputStream out) throws IOException {
    if (!(value instanceof BaseAccumulator a)) {
      throw new CoderException(
          "not an accumulator of "
              + Aggregators.class.getName()
              + ": "
              + (value == null ? "null" : value.getClass().getName()));
    }
    out.writeByte(FORMAT_VERSION);
    out.writeByte(a.tag());
    a.write(out);
  }

  @Override
  public Accumulator decode(InputStream inStream) throws IOException {
    return read(new DataInputStream(inStream));
  }

  /** Reads what {@link #write} wrote. */
  public static Accumulator read(DataInputStream in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != FORMAT_VERSION) {
      throw new CoderException("unknown accumulator format version " + version);
    }
    int tag = in.readUnsignedByte();
    switch (tag) {
      case CountAccumulator.TAG:
        return CountAccumulator.read(in);
      case LongSumAccumulator.TAG:
        return LongSumAccumulator.read(in);
      case DoubleSumAccumulator.TAG:
        return DoubleSumAccumulator.read(in);
      case 4:
        return MomentsAccumulator.read(MomentsAccumulator.Statistic.MEAN, in);
      case 5:
        return MomentsAccumulator.read(MomentsAccumulator.Statistic.VARIANCE, in);
      case 6:
        return MomentsAccumulator.read(MomentsAccumulator.Statistic.STDDEV, in);
      case ExtremeAccumulator.TAG_MIN:
        return ExtremeAccumulator.read(false, in);
      case ExtremeAccumulator.TAG_MAX:
        return ExtremeAccumulator.read(true, in);
      case FirstLastAccumulator.TAG_FIRST:
        return FirstLastAccumulator.read(false, in);
      case FirstLastAccumulator.TAG_LAST:
        return FirstLastAccumulator.read(true, in);
      case TopKAccumulator.TAG:
        return TopKAccumulator.read(in);
      case LastKAccumulator.TAG:
        return LastKAccumulator.read(in);
      case DistinctCountAccumulator.TAG:
        return DistinctCountAccumulator.read(in);
      case QuantileAccumulator.TAG:
        return QuantileAccumulator.read(in);
      default:
        throw new CoderException("unknown accumulator tag " + tag);
    }
  }

  /** The encoding is canonical: equal accumulator contents always give equal bytes. */
  @Override
  public void verifyDeterministic() {}

  /** The encoding of {@code accumulator}. */
  public static byte[] toBytes(Accumulator accumulator) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      INSTANCE.encode(accumulator, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The accumulator encoded in {@code bytes}, which must hold exactly one encoding.
   *
   * @throws IllegalArgumentException when the bytes are not one accumulator's encoding
   */
  public static Accumulator fromBytes(byte[] bytes) {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    try {
      Accumulator a = INSTANCE.decode(in);
      if (in.available() != 0) {
        throw new IllegalArgumentException(in.available() + " bytes after the accumulator");
      }
      return a;
    } catch (IOException e) {
      throw new IllegalArgumentException("not an accumulator: " + e.getMessage(), e);
    }
  }
}
