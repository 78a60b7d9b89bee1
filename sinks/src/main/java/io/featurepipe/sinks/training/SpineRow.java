package io.featurepipe.sinks.training;

import io.featurepipe.transforms.record.EncodingBuffer;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * One row of a spine, ready to join: where it was read, its time at full precision, its entity key
 * values, and all its columns as one Avro record (binary, in the spine's schema) that the join
 * carries through untouched to the training set.
 *
 * @param id unique within the spine and increasing in spine order (file, then line or record)
 * @param origin where it was read ({@code file:line}), for messages
 * @param timeNanos the spine timestamp {@code t}, epoch nanoseconds
 * @param keys the values of {@link FeatureSelection#keyColumns()}, in that order, none null, typed
 *     as the entity key ({@link String} or {@link Long}, as the offline store holds them)
 * @param record the row's columns, Avro binary encoding in the spine's schema
 */
public record SpineRow(long id, String origin, long timeNanos, List<Object> keys, byte[] record)
    implements Serializable {

  @Override
  public boolean equals(Object o) {
    return o instanceof SpineRow r
        && id == r.id
        && timeNanos == r.timeNanos
        && origin.equals(r.origin)
        && keys.equals(r.keys)
        && Arrays.equals(record, r.record);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, timeNanos, keys);
  }

  @Override
  public String toString() {
    return "SpineRow#" + id + "(" + origin + ", t=" + timeNanos + ", keys=" + keys + ")";
  }

  /** Deterministic coder of {@link SpineRow}. */
  public static final class Coder extends AtomicCoder<SpineRow> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(SpineRow r, OutputStream os) throws IOException {
      EncodingBuffer.buffered(os, buffer -> write(r, buffer));
    }

    private static void write(SpineRow r, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeVarLong(ValueCodec.zigzag(r.id()), out);
      ValueCodec.writeString(r.origin(), out);
      out.writeLong(r.timeNanos());
      ValueCodec.write(r.keys(), out);
      ValueCodec.writeVarLong(r.record().length, out);
      out.write(r.record());
      out.flush();
    }

    @Override
    public SpineRow decode(InputStream is) throws IOException {
      DataInputStream in = ValueCodec.dataInput(is);
      long id = ValueCodec.unzigzag(ValueCodec.readVarLong(in));
      String origin = ValueCodec.readString(in);
      long time = in.readLong();
      @SuppressWarnings("unchecked")
      List<Object> keys = new ArrayList<>((List<Object>) ValueCodec.read(in));
      byte[] record = new byte[(int) ValueCodec.readVarLong(in)];
      in.readFully(record);
      return new SpineRow(id, origin, time, keys, record);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
