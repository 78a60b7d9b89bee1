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
 * FeatureSelection#groups()}), an entity key and the UTC month of the window ends {@code e(t)}
 * that fall in it (of the dates that name their offline partitions), as the epoch day of the
 * month's first day. {@code salt} spreads the spine rows of a hot bucket over several workers (0
 * when not spread).
 *
 * <p>A month, not a day: a bucket is one group of a shuffle, and a runner pays a fixed cost per
 * group (the DirectRunner a bundle of every step after it, a few milliseconds); a key asked on
 * every day of a month costs one group instead of 30. What a bucket holds stays small: its
 * offline rows that a spine row asks for (at most one per hop of the month: 744 hourly rows).
 */
record Bucket(int group, List<Object> key, long month, int salt) implements Serializable {
  /** The bucket of group {@code group}, key {@code key} holding window end {@code windowEndMillis}. */
  static Bucket of(int group, List<Object> key, long windowEndMillis) {
    return new Bucket(group, key, OfflineLayout.dateOf(windowEndMillis).withDayOfMonth(1).toEpochDay(), 0);
  }

  Bucket withSalt(int s) {
    return new Bucket(group, key, month, s);
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
      ValueCodec.writeVarLong(ValueCodec.zigzag(b.month()), out);
      ValueCodec.writeVarLong(b.salt(), out);
      out.flush();
    }

    @Override
    public Bucket decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      int group = (int) ValueCodec.readVarLong(in);
      @SuppressWarnings("unchecked")
      List<Object> key = new ArrayList<>((List<Object>) ValueCodec.read(in));
      long month = ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      int salt = (int) ValueCodec.readVarLong(in);
      return new Bucket(group, key, month, salt);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
