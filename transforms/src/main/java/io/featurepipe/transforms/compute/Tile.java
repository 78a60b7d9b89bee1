package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.AccumulatorCoder;
import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * The partial aggregates of one hop of one key: one {@link Accumulator} per slot of the group
 * ({@link CompiledGroup#slots()}). Tiles are mergeable, so partial tiles from many workers and
 * bundles combine into one, and windows of any length are merges of consecutive tiles.
 *
 * @param hopStartMillis the start of the hop; the tile holds events with
 *     {@code hopStart <= ts < hopStart + hop}
 */
public record Tile(long hopStartMillis, Accumulator[] slots) {

  /** Merges {@code other}'s slots into this tile's (which are modified; {@code other} is not). */
  public void mergeFrom(Tile other) {
    for (int i = 0; i < slots.length; i++) {
      slots[i].mergeFrom(other.slots[i]);
    }
  }

  /** A deep copy. */
  public Tile copy() {
    Accumulator[] c = new Accumulator[slots.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = slots[i].copy();
    }
    return new Tile(hopStartMillis, c);
  }

  /** Coder of {@link Tile}, with {@link AccumulatorCoder} for the slots. */
  public static final class Coder extends AtomicCoder<Tile> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Tile t, OutputStream os) throws IOException {
      // into a buffer, then one write (EncodingBuffer says why)
      EncodingBuffer buffer = new EncodingBuffer(64 + 32 * t.slots().length);
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeLong(t.hopStartMillis());
      ValueCodec.writeVarLong(t.slots().length, out);
      for (Accumulator a : t.slots()) {
        AccumulatorCoder.write(a, out);
      }
      out.flush();
      buffer.writeTo(os);
    }

    @Override
    public Tile decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      long start = in.readLong();
      Accumulator[] slots = new Accumulator[(int) ValueCodec.readVarLong(in)];
      for (int i = 0; i < slots.length; i++) {
        slots[i] = AccumulatorCoder.read(in);
      }
      return new Tile(start, slots);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
