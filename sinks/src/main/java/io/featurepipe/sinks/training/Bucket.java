package io.featurepipe.sinks.training;

import com.google.common.io.ByteArrayDataInput;
import com.google.common.io.ByteStreams;
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
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * What the point-in-time join groups by (DESIGN §3): a selected group (its index in {@link
 * FeatureSelection#groups()}), an entity key and the UTC month or date of the window ends {@code
 * e(t)} in it ({@link JoinSteps.GroupTime#monthly}), as the epoch day of its first day. {@code salt}
 * spreads the spine rows of a hot bucket over several workers (0 when not spread).
 */
final class Bucket implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int group;
  private final List<Object> key;
  private final long period;
  private final int salt;
  /**
   * This bucket's encoding once made or read ({@link Coder}): on Flink a keyed step encodes the key
   * of every element it receives, just decoded, again (the key bytes it groups by); with the bytes
   * kept from the decoding that is a copy. Null until then.
   */
  private transient byte[] encoded;

  Bucket(int group, List<Object> key, long period, int salt) {
    this.group = group;
    this.key = key;
    this.period = period;
    this.salt = salt;
  }

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

  int group() {
    return group;
  }

  List<Object> key() {
    return key;
  }

  long period() {
    return period;
  }

  int salt() {
    return salt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bucket b && group == b.group && period == b.period && salt == b.salt && key.equals(b.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, key, period, salt);
  }

  @Override
  public String toString() {
    return "Bucket[group=" + group + ", key=" + key + ", period=" + period + ", salt=" + salt + "]";
  }

  /**
   * Deterministic coder: equal buckets encode to equal bytes, as grouping needs. The bytes are a
   * 32-bit hash (Murmur3) of the rest, then the length of the fields' bytes (a varint) and the
   * fields: group, key, period and salt. Flink's batch sort orders a grouping's input by a short
   * prefix of each serialized key (in Flink 1.19 8 bytes: the key's length, then the start of its
   * encoding) and compares whole encodings only when the prefixes are equal, and without the hash
   * every bucket of a join step would start with the same group index and key type. The length
   * lets a decoding read the bytes in one go and keep them ({@link #encoded}). A bucket lives only
   * as long as the training set's run (a batch job; no state or savepoint keeps its bytes).
   */
  static final class Coder extends AtomicCoder<Bucket> {
    private static final Coder INSTANCE = new Coder();

    static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Bucket b, OutputStream os) throws IOException {
      byte[] bytes = b.encoded;
      if (bytes == null) {
        EncodingBuffer fields = new EncodingBuffer(32);
        DataOutputStream out = new DataOutputStream(fields);
        ValueCodec.writeVarLong(b.group, out);
        ValueCodec.write(b.key, out);
        ValueCodec.writeVarLong(ValueCodec.zigzag(b.period), out);
        ValueCodec.writeVarLong(b.salt, out);
        EncodingBuffer whole = EncodingBuffer.hashFirst(fields.size() + 5);
        ValueCodec.writeVarLong(fields.size(), new DataOutputStream(whole));
        fields.writeTo(whole);
        whole.writeHashFirstTo(os); // puts the hash in its first bytes
        b.encoded = Arrays.copyOf(whole.array(), whole.size());
        return;
      }
      os.write(bytes);
    }

    @Override
    public Bucket decode(InputStream is) throws IOException {
      DataInputStream in = ValueCodec.dataInput(is);
      int hash = in.readInt();
      long length = ValueCodec.readVarLong(in);
      if (length < 0 || length > 1 << 24) {
        throw new IOException("not a bucket: its fields would be " + length + " bytes");
      }
      EncodingBuffer head = new EncodingBuffer(9);
      DataOutputStream h = new DataOutputStream(head);
      h.writeInt(hash);
      ValueCodec.writeVarLong(length, h);
      byte[] bytes = Arrays.copyOf(head.array(), head.size() + (int) length);
      in.readFully(bytes, head.size(), (int) length);
      ByteArrayDataInput fields = ByteStreams.newDataInput(bytes, head.size());
      int group = (int) ValueCodec.readVarLong(fields);
      @SuppressWarnings("unchecked")
      List<Object> key = new ArrayList<>((List<Object>) ValueCodec.read(fields));
      long period = ValueCodec.unzigzag(ValueCodec.readVarLong(fields));
      int salt = (int) ValueCodec.readVarLong(fields);
      Bucket b = new Bucket(group, key, period, salt);
      b.encoded = bytes;
      return b;
    }

    @Override
    public void verifyDeterministic() {}
  }
}
