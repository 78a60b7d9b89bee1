package io.featurepipe.transforms.record;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * The value of every feature of a group for one entity key as of one window end (DESIGN §3).
 *
 * @param group the feature group
 * @param version the group's version
 * @param key the entity key values, in the entity's key order
 * @param windowEndMillis the window end {@code e}, a multiple of the group's hop (UTC epoch millis)
 * @param values one value per feature, in the group's feature order
 * @param empty true for the explicit empty row written once every window of the key has emptied:
 *     all values are the empty values; the offline store skips it, the online store records it
 * @param onlineWrites the features the online store must write at this window end: those whose
 *     value changed since the key's previous row, those unchanged for a whole longest window, and
 *     all of them when late data changed an emitted window end
 * @param restated true when the row was emitted behind the watermark (streams): late data changed
 *     an already emitted window end and this row replaces the earlier one, or a key's first rows
 *     came through late data; the online store orders such rows with later restatements
 * @param sequence increases with each row emitted for the key; the latest row for a (key, window
 *     end) is the one with the highest sequence
 */
public record FeatureRow(
    String group,
    String version,
    List<Object> key,
    long windowEndMillis,
    Object[] values,
    boolean empty,
    BitSet onlineWrites,
    boolean restated,
    long sequence)
    implements Serializable {

  /** The (group, key, window end) this row describes, for joins and comparisons. */
  public String identity() {
    return group + "|" + key + "|" + windowEndMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureRow r
        && group.equals(r.group)
        && version.equals(r.version)
        && key.equals(r.key)
        && windowEndMillis == r.windowEndMillis
        && Arrays.deepEquals(values, r.values)
        && empty == r.empty
        && onlineWrites.equals(r.onlineWrites)
        && restated == r.restated
        && sequence == r.sequence;
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, key, windowEndMillis, Arrays.deepHashCode(values));
  }

  @Override
  public String toString() {
    return group
        + "/"
        + version
        + key
        + "@"
        + java.time.Instant.ofEpochMilli(windowEndMillis)
        + Arrays.deepToString(values)
        + (empty ? " empty" : "")
        + (restated ? " restated" : "")
        + " writes="
        + onlineWrites
        + " seq="
        + sequence;
  }

  /** Deterministic coder of {@link FeatureRow}. */
  public static final class Coder extends AtomicCoder<FeatureRow> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(FeatureRow r, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeString(r.group(), out);
      ValueCodec.writeString(r.version(), out);
      ValueCodec.write(r.key(), out);
      out.writeLong(r.windowEndMillis());
      ValueCodec.writeVarLong(r.values().length, out);
      for (Object v : r.values()) {
        ValueCodec.write(v, out);
      }
      out.writeBoolean(r.empty());
      byte[] bits = r.onlineWrites().toByteArray();
      ValueCodec.writeVarLong(bits.length, out);
      out.write(bits);
      out.writeBoolean(r.restated());
      ValueCodec.writeVarLong(r.sequence(), out);
      out.flush();
    }

    @Override
    public FeatureRow decode(InputStream is) throws IOException {
      DataInputStream in = ValueCodec.dataInput(is);
      String group = ValueCodec.readString(in);
      String version = ValueCodec.readString(in);
      @SuppressWarnings("unchecked")
      List<Object> key = (List<Object>) ValueCodec.read(in);
      long windowEnd = in.readLong();
      Object[] values = new Object[(int) ValueCodec.readVarLong(in)];
      for (int i = 0; i < values.length; i++) {
        values[i] = ValueCodec.read(in);
      }
      boolean empty = in.readBoolean();
      byte[] bits = new byte[(int) ValueCodec.readVarLong(in)];
      in.readFully(bits);
      boolean restated = in.readBoolean();
      long sequence = ValueCodec.readVarLong(in);
      return new FeatureRow(
          group, version, new ArrayList<>(key), windowEnd, values, empty, BitSet.valueOf(bits),
          restated, sequence);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
