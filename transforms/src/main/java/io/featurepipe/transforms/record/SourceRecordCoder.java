package io.featurepipe.transforms.record;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** Deterministic coder of {@link SourceRecord}, with {@link ValueCodec} for the values. */
public final class SourceRecordCoder extends AtomicCoder<SourceRecord> {
  private static final SourceRecordCoder INSTANCE = new SourceRecordCoder();

  public static SourceRecordCoder of() {
    return INSTANCE;
  }

  private SourceRecordCoder() {}

  @Override
  public void encode(SourceRecord r, OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    ValueCodec.writeString(r.source(), out);
    out.writeLong(r.eventTimeNanos());
    Object[] values = r.values();
    ValueCodec.writeVarLong(values.length, out);
    for (Object v : values) {
      ValueCodec.write(v, out);
    }
    ValueCodec.writeString(r.origin(), out);
    out.flush();
  }

  @Override
  public SourceRecord decode(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    String source = ValueCodec.readString(in);
    long ts = in.readLong();
    Object[] values = new Object[(int) ValueCodec.readVarLong(in)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ValueCodec.read(in);
    }
    return new SourceRecord(source, ts, values, ValueCodec.readString(in));
  }

  @Override
  public void verifyDeterministic() {}
}
