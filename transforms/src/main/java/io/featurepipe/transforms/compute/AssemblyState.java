package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * What window assembly remembers per (group, key) besides the tiles themselves. Mutable; read,
 * changed and written back within one callback.
 */
final class AssemblyState {
  static final long NONE = Long.MIN_VALUE;

  /** Hop starts of the tiles held in state, sorted. */
  final TreeSet<Long> tileStarts = new TreeSet<>();
  /** The next window end a row is due at, or NONE while the key is dormant. */
  long nextEmit = NONE;
  /** Every due window end up to this one has been emitted, or NONE. */
  long emittedThrough = NONE;
  /** The values of the row at {@code emittedThrough}, or null. */
  Object[] lastValues;
  /** Per feature, the window end of its last online write, or NONE. */
  long[] lastWritten;
  /** Rows emitted for the key so far. */
  long sequence;
  /** Tiles starting before this may have been released; NONE when none were. */
  long evictedBefore = NONE;

  /** Coder of {@link AssemblyState}. */
  static final class Coder extends AtomicCoder<AssemblyState> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(AssemblyState s, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeVarLong(s.tileStarts.size(), out);
      for (long t : s.tileStarts) {
        out.writeLong(t);
      }
      out.writeLong(s.nextEmit);
      out.writeLong(s.emittedThrough);
      out.writeBoolean(s.lastValues != null);
      if (s.lastValues != null) {
        ValueCodec.writeVarLong(s.lastValues.length, out);
        for (Object v : s.lastValues) {
          ValueCodec.write(v, out);
        }
      }
      out.writeBoolean(s.lastWritten != null);
      if (s.lastWritten != null) {
        ValueCodec.writeVarLong(s.lastWritten.length, out);
        for (long w : s.lastWritten) {
          out.writeLong(w);
        }
      }
      out.writeLong(s.sequence);
      out.writeLong(s.evictedBefore);
      out.flush();
    }

    @Override
    public AssemblyState decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      AssemblyState s = new AssemblyState();
      long n = ValueCodec.readVarLong(in);
      for (long i = 0; i < n; i++) {
        s.tileStarts.add(in.readLong());
      }
      s.nextEmit = in.readLong();
      s.emittedThrough = in.readLong();
      if (in.readBoolean()) {
        s.lastValues = new Object[(int) ValueCodec.readVarLong(in)];
        for (int i = 0; i < s.lastValues.length; i++) {
          s.lastValues[i] = ValueCodec.read(in);
        }
      }
      if (in.readBoolean()) {
        s.lastWritten = new long[(int) ValueCodec.readVarLong(in)];
        for (int i = 0; i < s.lastWritten.length; i++) {
          s.lastWritten[i] = in.readLong();
        }
      }
      s.sequence = in.readLong();
      s.evictedBefore = in.readLong();
      return s;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
