package io.featurepipe.sinks.training;

import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * What the point-in-time join groups by (DESIGN §3): a selected group (its index in {@link
 * FeatureSelection#groups()}), an entity key and the UTC month or date of the window ends {@code
 * e(t)} in it ({@link JoinSteps.GroupTime#monthly}), as the epoch day of its first day. {@code salt}
 * spreads the spine rows of a hot bucket over several workers (0 when not spread).
 */
record Bucket(int group, List<Object> key, long period, int salt) implements Serializable {
  /**
   * The bucket of group {@code group}, key {@code key} holding window end {@code windowEndMillis}:
   * by month when {@code monthly}, else by date.
   */
  static Bucket of(int group, List<Object> key, long windowEndMillis, boolean monthly) {
    LocalDate date = OfflineLayout.dateOf(windowEndMillis);
    return new Bucket(group, key, (monthly ? date.withDayOfMonth(1) : date).toEpochDay(), 0);
  }

  Bucket withSalt(int s) {
    return new Bucket(group, key, period, s);
  }

  /**
   * Deterministic coder: equal buckets encode to equal bytes, as grouping needs. The bytes start
   * with a 32-bit hash (Murmur3) of the rest, the group, key, period and salt: Flink's batch sort
   * orders a grouping's input by a short prefix of each serialized key (in Flink 1.19 8 bytes: the
   * key's length, then the start of its encoding) and compares whole encodings only when the
   * prefixes are equal, and without the hash every bucket of a join step would start with the same
   * group index and key type. A bucket lives only as long as the training set's run (a batch job;
   * no state or savepoint keeps its bytes).
   */
  static final class Coder extends AtomicCoder<Bucket> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Bucket b, OutputStream os) throws IOException {
      EncodingBuffer buffer = EncodingBuffer.hashFirst(36);
      DataOutputStream out = new DataOutputStream(buffer);
      ValueCodec.writeVarLong(b.group(), out);
      ValueCodec.write(b.key(), out);
      ValueCodec.writeVarLong(ValueCodec.zigzag(b.period()), out);
      ValueCodec.writeVarLong(b.salt(), out);
      out.flush();
      buffer.writeHashFirstTo(os);
    }

    @Override
    public Bucket decode(InputStream is) throws IOException {
      DataInputStream in = ValueCodec.dataInput(is);
      in.readInt(); // the hash
      int group = (int) ValueCodec.readVarLong(in);
      @SuppressWarnings("unchecked")
      List<Object> key = new ArrayList<>((List<Object>) ValueCodec.read(in));
      long period = ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      int salt = (int) ValueCodec.readVarLong(in);
      return new Bucket(group, key, period, salt);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
