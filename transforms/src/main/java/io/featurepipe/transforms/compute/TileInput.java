package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * One event as a group needs it: its full-precision event time and the values of the columns the
 * group aggregates, in {@link CompiledGroup#columns()} order.
 */
public record TileInput(long eventTimeNanos, Object[] values) implements Serializable {

  @Override
  public boolean equals(Object o) {
    return o instanceof TileInput t
        && eventTimeNanos == t.eventTimeNanos
        && Arrays.deepEquals(values, t.values);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(eventTimeNanos) * 31 + Arrays.deepHashCode(values);
  }

  /** Deterministic coder of {@link TileInput}. */
  public static final class Coder extends AtomicCoder<TileInput> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(TileInput t, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      out.writeLong(t.eventTimeNanos());
      ValueCodec.writeVarLong(t.values().length, out);
      for (Object v : t.values()) {
        ValueCodec.write(v, out);
      }
      out.flush();
    }

    @Override
    public TileInput decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      long ts = in.readLong();
      Object[] values = new Object[(int) ValueCodec.readVarLong(in)];
      for (int i = 0; i < values.length; i++) {
        values[i] = ValueCodec.read(in);
      }
      return new TileInput(ts, values);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
