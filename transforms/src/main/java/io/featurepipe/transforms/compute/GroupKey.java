package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.EncodingBuffer;
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
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.values.PCollection;

/** The state key of window assembly: a feature group and one entity key (its values in key order). */
public record GroupKey(String group, List<Object> key) implements Serializable {

  /**
   * The key coder of window assembly's input: {@link HashFirstCoder} for a bounded input in a batch
   * job, {@link Coder} (the bytes a stream's savepoints hold) for an unbounded input or any job run
   * with {@code --streaming} (a bounded replay run as a stream may take savepoints too).
   */
  public static AtomicCoder<GroupKey> coderFor(PCollection<?> input) {
    boolean batch =
        input.isBounded() == PCollection.IsBounded.BOUNDED
            && !input.getPipeline().getOptions().as(StreamingOptions.class).isStreaming();
    return batch ? HashFirstCoder.of() : Coder.of();
  }

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
      // into a buffer, then one write (EncodingBuffer says why)
      EncodingBuffer buffer = new EncodingBuffer(32);
      write(k, buffer);
      buffer.writeTo(os);
    }

    /** The group, then the key values. */
    static void write(GroupKey k, EncodingBuffer buffer) throws IOException {
      DataOutputStream out = new DataOutputStream(buffer);
      ValueCodec.writeString(k.group(), out);
      ValueCodec.write(k.key(), out);
      out.flush();
    }

    @Override
    public GroupKey decode(InputStream is) throws IOException {
      return read(new DataInputStream(is));
    }

    /** The group, then the key values. */
    @SuppressWarnings("unchecked")
    static GroupKey read(DataInputStream in) throws IOException {
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

  /**
   * {@link Coder}'s bytes after a 32-bit hash of them, for batch jobs, whose state lives only as
   * long as the run. Flink's batch sort orders a keyed step's input by a short prefix of each
   * serialized key (in Flink 1.19 8 bytes: the key's length, then the start of its encoding) and
   * compares whole encodings only when the prefixes are equal; a {@link Coder} encoding starts with
   * the group's name, the same for every key of a group, so the sort before window assembly would
   * compare every pair of keys byte by byte. With the hash first, the prefixes of two keys almost
   * always differ. Streams keep {@link Coder}: their state and timers are keyed by its bytes in
   * savepoints.
   */
  public static final class HashFirstCoder extends AtomicCoder<GroupKey> {
    private static final HashFirstCoder INSTANCE = new HashFirstCoder();

    public static HashFirstCoder of() {
      return INSTANCE;
    }

    private HashFirstCoder() {}

    @Override
    public void encode(GroupKey k, OutputStream os) throws IOException {
      EncodingBuffer buffer = EncodingBuffer.hashFirst(32);
      Coder.write(k, buffer);
      buffer.writeHashFirstTo(os);
    }

    @Override
    public GroupKey decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      in.readInt(); // the hash
      return Coder.read(in);
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
