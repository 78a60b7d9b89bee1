package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
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
 * What the point-in-time join groups by (DESIGN §3): a selected group (its index in {@link
 * FeatureSelection#groups()}), an entity key and the UTC date of the window ends {@code e(t)} that
 * fall on it, as an epoch day (the date that names their offline partition). {@code salt} spreads
 * the spine rows of a hot bucket over several workers (0 when not spread).
 */
record Bucket(int group, List<Object> key, long day, int salt) implements Serializable {
  /** The bucket of group {@code group}, key {@code key} holding window end {@code windowEndMillis}. */
  static Bucket of(int group, List<Object> key, long windowEndMillis) {
    return new Bucket(group, key, OfflineLayout.dateOf(windowEndMillis).toEpochDay(), 0);
  }

  Bucket withSalt(int s) {
    return new Bucket(group, key, day, s);
  }

  /** Deterministic coder: equal buckets encode to equal bytes, as grouping needs. */
  static final class Coder extends AtomicCoder<Bucket> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Bucket b, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeVarLong(b.group(), out);
      ValueCodec.write(b.key(), out);
      ValueCodec.writeVarLong(ValueCodec.zigzag(b.day()), out);
      ValueCodec.writeVarLong(b.salt(), out);
      out.flush();
    }

    @Override
    public Bucket decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      int group = (int) ValueCodec.readVarLong(in);
      @SuppressWarnings("unchecked")
      List<Object> key = new ArrayList<>((List<Object>) ValueCodec.read(in));
      long day = ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      int salt = (int) ValueCodec.readVarLong(in);
      return new Bucket(group, key, day, salt);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
