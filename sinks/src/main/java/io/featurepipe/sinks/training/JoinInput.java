package io.featurepipe.sinks.training;

import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;

/** One input of a bucket's match: an offline row of the group, or a spine row on its way. */
record JoinInput(FeatureRow offline, PendingRow spine) implements Serializable {
  static JoinInput offline(FeatureRow row) {
    return new JoinInput(row, null);
  }

  static JoinInput spine(PendingRow row) {
    return new JoinInput(null, row);
  }

  /** Deterministic coder: a tag byte, then the row. */
  static final class Coder extends AtomicCoder<JoinInput> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(JoinInput in, OutputStream out) throws IOException {
      EncodingBuffer.buffered(out, buffer -> {
        if (in.offline() != null) {
          buffer.write(0);
          FeatureRow.Coder.of().encode(in.offline(), buffer);
        } else {
          buffer.write(1);
          PendingRow.Coder.of().encode(in.spine(), buffer);
        }
      });
    }

    @Override
    public JoinInput decode(InputStream is) throws IOException {
      java.io.DataInputStream in = ValueCodec.dataInput(is); // one for every coder inside
      int tag = in.read();
      return switch (tag) {
        case 0 -> offline(FeatureRow.Coder.of().decode(in));
        case 1 -> spine(PendingRow.Coder.of().decode(in));
        default -> throw new IOException("not a join input: tag " + tag);
      };
    }

    @Override
    public void verifyDeterministic() {}
  }
}
