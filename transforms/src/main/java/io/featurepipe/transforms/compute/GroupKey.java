package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;

/** The state key of window assembly: a feature group and one entity key (its values in key order). */
public record GroupKey(String group, List<Object> key) implements Serializable {

  /**
   * Deterministic coder: equal keys encode to equal bytes, as grouping by key requires. The bytes
   * start with a 32-bit hash of the key ({@link #sortPrefix}), then the group and the key values.
   *
   * <p>Why the hash first: Flink's batch sort orders records by the first 8 bytes of their encoded
   * key (a normalized key) and compares the whole encodings only when those are equal. Without the
   * hash, those bytes are a length and the start of the group's name, the same for every key of a
   * group, so every comparison of the sort before window assembly read both keys byte by byte (7%
   * of a backfill's CPU samples in {@code VariableLengthByteKeyComparator.compareSerialized}).
   */
  public static final class Coder extends AtomicCoder<GroupKey> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(GroupKey k, OutputStream os) throws IOException {
      // into a buffer, then one write (as Tile.Coder does)
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(32);
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeInt(sortPrefix(k));
      ValueCodec.writeString(k.group(), out);
      ValueCodec.write(k.key(), out);
      out.flush();
      buffer.writeTo(os);
    }

    @Override
    @SuppressWarnings("unchecked")
    public GroupKey decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      in.readInt(); // the sort prefix
      String group = ValueCodec.readString(in);
      return new GroupKey(group, new ArrayList<>((List<Object>) ValueCodec.read(in)));
    }

    /**
     * A hash of the group and key values that is the same in every JVM: from the hash codes Java
     * specifies for strings, longs, doubles and booleans (a value of another type counts as 0),
     * mixed so that its high byte varies.
     */
    static int sortPrefix(GroupKey k) {
      int h = k.group().hashCode();
      for (Object v : k.key()) {
        h = 31 * h + (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
            ? v.hashCode() : 0);
      }
      // murmur3's finalizer
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      h *= 0xc2b2ae35;
      return h ^ (h >>> 16);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
