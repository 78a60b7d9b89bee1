package io.featurepipe.sinks.training;

import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A spine row with the values of every selected group as of its time: one {@link FeatureRow} per
 * group of {@link FeatureSelection#groups()}, in that order. Each row's {@code windowEndMillis} is
 * the window end {@code e(t)} it was looked up at; {@code empty} marks a group with no offline row
 * there, whose values are the empty values of DESIGN §2. Inside {@link JoinPointInTime}, which joins
 * the groups one after the other, a row carries the groups joined so far.
 */
public record JoinedRow(SpineRow spine, List<FeatureRow> groups) implements Serializable {

  /** Deterministic coder of {@link JoinedRow}. */
  public static final class Coder extends AtomicCoder<JoinedRow> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(JoinedRow r, OutputStream out) throws IOException {
      EncodingBuffer.buffered(out, buffer -> {
        SpineRow.Coder.of().encode(r.spine(), buffer);
        // the groups as Beam's list coder writes a list (the size as a 4-byte int, then each row),
        // written and read here so that each row goes into this buffer and comes from one stream
        new java.io.DataOutputStream(buffer).writeInt(r.groups().size());
        for (FeatureRow g : r.groups()) {
          FeatureRow.Coder.of().encode(g, buffer);
        }
      });
    }

    @Override
    public JoinedRow decode(InputStream is) throws IOException {
      java.io.DataInputStream in = ValueCodec.dataInput(is); // one for the spine row and every group's row
      SpineRow spine = SpineRow.Coder.of().decode(in);
      int n = in.readInt(); // the groups as Beam's list coder writes them (see encode)
      if (n < 0) {
        throw new IOException("not a joined row: " + n + " groups");
      }
      List<FeatureRow> groups = new ArrayList<>(Math.min(n, 16));
      for (int i = 0; i < n; i++) {
        groups.add(FeatureRow.Coder.of().decode(in));
      }
      return new JoinedRow(spine, groups);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
