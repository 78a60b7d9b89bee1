package io.featurepipe.transforms.record;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A record the pipeline did not use, kept whole with the reason: nothing is dropped silently.
 *
 * @param source the source it came from
 * @param step the stable name of the step that rejected it ({@code DecodeRecords},
 *     {@code ClassifyLateness}, {@code PrepareGroups/user_spend}, ...)
 * @param reason what was wrong, naming the field and value where there is one
 * @param payload the raw record (a text line, or the parsed record as JSON)
 * @param origin where it was read (file and line, topic, partition and offset), or empty
 */
public record DeadLetter(String source, String step, String reason, String payload, String origin)
    implements Serializable {

  /** Deterministic coder of {@link DeadLetter}. */
  public static final class Coder extends AtomicCoder<DeadLetter> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(DeadLetter d, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeString(d.source(), out);
      ValueCodec.writeString(d.step(), out);
      ValueCodec.writeString(d.reason(), out);
      ValueCodec.writeString(d.payload(), out);
      ValueCodec.writeString(d.origin() == null ? "" : d.origin(), out);
      out.flush();
    }

    @Override
    public DeadLetter decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new DeadLetter(
          ValueCodec.readString(in),
          ValueCodec.readString(in),
          ValueCodec.readString(in),
          ValueCodec.readString(in),
          ValueCodec.readString(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
