package io.featurepipe.sinks.training;

import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A spine row on its way through {@link JoinPointInTime}'s chain: the row with the groups joined
 * so far, and its salt in the bucket of every selected group (0 where the bucket is not hot),
 * drawn once, when the row enters the chain ({@code Join/<first group>/KeySpineRows}, which reads
 * the hot buckets). Carrying the salts lets each group's match key the row for the next group
 * without the hot buckets as a side input (on Flink a step with side inputs is not chained to the
 * step before it and checks their readiness per element).
 */
record PendingRow(JoinedRow row, int[] salts) implements Serializable {

  /** Deterministic coder: the joined row, then the salts. */
  static final class Coder extends AtomicCoder<PendingRow> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(PendingRow p, OutputStream os) throws IOException {
      EncodingBuffer.buffered(os, buffer -> {
        JoinedRow.Coder.of().encode(p.row(), buffer);
        DataOutputStream out = new DataOutputStream(buffer);
        ValueCodec.writeVarLong(p.salts().length, out);
        for (int s : p.salts()) {
          ValueCodec.writeVarLong(s, out);
        }
        out.flush();
      });
    }

    @Override
    public PendingRow decode(InputStream is) throws IOException {
      DataInputStream in = ValueCodec.dataInput(is);
      JoinedRow row = JoinedRow.Coder.of().decode(in);
      int[] salts = new int[(int) ValueCodec.readVarLong(in)];
      for (int i = 0; i < salts.length; i++) {
        salts[i] = (int) ValueCodec.readVarLong(in);
      }
      return new PendingRow(row, salts);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
