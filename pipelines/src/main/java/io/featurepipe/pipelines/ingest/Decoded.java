package io.featurepipe.pipelines.ingest;

import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * What decoding one raw record gave: a {@link SourceRecord}, or the {@link DeadLetter} saying why
 * not. Sources that can emit only one kind of element (JdbcIO's row mapper, an
 * {@link org.apache.beam.sdk.io.UnboundedSource}) emit these; {@link SplitDecoded} then splits
 * them into the two outputs every read has.
 */
public final class Decoded {
  private final SourceRecord record;
  private final DeadLetter deadLetter;

  private Decoded(SourceRecord record, DeadLetter deadLetter) {
    this.record = record;
    this.deadLetter = deadLetter;
  }

  public static Decoded of(SourceRecord record) {
    return new Decoded(Objects.requireNonNull(record, "record"), null);
  }

  public static Decoded failed(DeadLetter deadLetter) {
    return new Decoded(null, Objects.requireNonNull(deadLetter, "deadLetter"));
  }

  /** The record, or null when decoding failed. */
  public SourceRecord record() {
    return record;
  }

  /** The dead letter, or null when decoding succeeded. */
  public DeadLetter deadLetter() {
    return deadLetter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Decoded d
        && Objects.equals(record, d.record)
        && Objects.equals(deadLetter, d.deadLetter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(record, deadLetter);
  }

  @Override
  public String toString() {
    return record != null ? record.toString() : "dead:" + deadLetter;
  }

  /** Deterministic coder: a tag byte, then the record or the dead letter. */
  public static final class Coder extends AtomicCoder<Decoded> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Decoded d, OutputStream out) throws IOException {
      if (d.record != null) {
        out.write(0);
        SourceRecordCoder.of().encode(d.record, out);
      } else {
        out.write(1);
        DeadLetter.Coder.of().encode(d.deadLetter, out);
      }
    }

    @Override
    public Decoded decode(InputStream in) throws IOException {
      int tag = in.read();
      switch (tag) {
        case 0:
          return Decoded.of(SourceRecordCoder.of().decode(in));
        case 1:
          return Decoded.failed(DeadLetter.Coder.of().decode(in));
        default:
          throw new CoderException("not a Decoded element: tag " + tag);
      }
    }

    @Override
    public void verifyDeterministic() {}
  }
}
