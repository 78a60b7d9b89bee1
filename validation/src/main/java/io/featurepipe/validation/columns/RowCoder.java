package io.featurepipe.validation.columns;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** Deterministic coder of a row of column values ({@link ValueCodec} per value). */
public final class RowCoder extends AtomicCoder<Object[]> {
  private static final RowCoder INSTANCE = new RowCoder();

  public static RowCoder of() {
    return INSTANCE;
  }

  private RowCoder() {}

  @Override
  public void encode(Object[] row, OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    ValueCodec.writeVarLong(row.length, out);
    for (Object v : row) {
      ValueCodec.write(v, out);
    }
    out.flush();
  }

  @Override
  public Object[] decode(InputStream is) throws IOException {
    DataInputStream in = new DataInputStream(is);
    Object[] row = new Object[(int) ValueCodec.readVarLong(in)];
    for (int i = 0; i < row.length; i++) {
      row[i] = ValueCodec.read(in);
    }
    return row;
  }

  @Override
  public void verifyDeterministic() {}
}
