package io.featurepipe.sinks.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * The outcome of writing one partition: its folder relative to the root, its final files (full
 * paths, sorted) and how many elements they hold.
 */
public record WrittenPartition(String partition, List<String> files, long elements)
    implements Serializable {

  /** Coder of {@link WrittenPartition}. */
  public static final class Coder extends AtomicCoder<WrittenPartition> {
    private static final Coder INSTANCE = new Coder();
    private static final ListCoder<String> FILES = ListCoder.of(StringUtf8Coder.of());

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(WrittenPartition w, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(w.partition(), out);
      FILES.encode(w.files(), out);
      VarLongCoder.of().encode(w.elements(), out);
    }

    @Override
    public WrittenPartition decode(InputStream in) throws IOException {
      return new WrittenPartition(
          StringUtf8Coder.of().decode(in), FILES.decode(in), VarLongCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
