package io.featurepipe.transforms.compute;

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
import org.apache.commons.io.output.UnsynchronizedByteArrayOutputStream;

/** The state key of window assembly: a feature group and one entity key (its values in key order). */
public record GroupKey(String group, List<Object> key) implements Serializable {

  /**
   * Deterministic coder: equal keys encode to equal bytes, as grouping by key requires. The bytes
   * (the group, then the key values) are the key of window assembly's state and timers, so a
   * stream's savepoints hold them: changing them loses a restored stream's state ({@code
   * GroupKeyTest} pins them).
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
      UnsynchronizedByteArrayOutputStream buffer = UnsynchronizedByteArrayOutputStream.builder().setBufferSize(32).get();
      DataOutputStream out = new DataOutputStream(buffer);
      ValueCodec.writeString(k.group(), out);
      ValueCodec.write(k.key(), out);
      out.flush();
      buffer.writeTo(os);
    }

    @Override
    @SuppressWarnings("unchecked")
    public GroupKey decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      String group = ValueCodec.readString(in);
      return new GroupKey(group, new ArrayList<>((List<Object>) ValueCodec.read(in)));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
