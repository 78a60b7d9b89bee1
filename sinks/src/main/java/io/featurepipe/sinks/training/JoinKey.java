package io.featurepipe.sinks.training;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * What the point-in-time join matches on (DESIGN §3): a selected group (its index in {@link
 * FeatureSelection#groups()}), an entity key and a window end; {@code salt} spreads the spine rows
 * of a hot join key over several workers (0 when not spread).
 */
record JoinKey(int group, List<Object> key, long windowEndMillis, int salt) implements Serializable {

  /** The entity-level key of this join key: same group and key, window end and salt 0. */
  JoinKey entity() {
    return new JoinKey(group, key, 0, 0);
  }

  JoinKey withSalt(int s) {
    return new JoinKey(group, key, windowEndMillis, s);
  }

  /** Deterministic coder: equal keys encode to equal bytes, as grouping needs. */
  static final class Coder extends AtomicCoder<JoinKey> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(JoinKey k, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeVarLong(k.group(), out);
      ValueCodec.write(k.key(), out);
      out.writeLong(k.windowEndMillis());
      ValueCodec.writeVarLong(k.salt(), out);
      out.flush();
    }

    @Override
    public JoinKey decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      int group = (int) ValueCodec.readVarLong(in);
      @SuppressWarnings("unchecked")
      List<Object> key = new ArrayList<>((List<Object>) ValueCodec.read(in));
      long windowEnd = in.readLong();
      int salt = (int) ValueCodec.readVarLong(in);
      return new JoinKey(group, key, windowEnd, salt);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
