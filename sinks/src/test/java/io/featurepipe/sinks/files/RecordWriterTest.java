package io.featurepipe.sinks.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link AvroFormat}'s writer resolves nullable unions by the value's class: the same bytes as
 * Avro's own writer for every branch type, null first or last, and the same failure for a value
 * that fits no branch.
 */
class RecordWriterTest {
  private static final Schema MICROS = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  private static final Schema SCHEMA =
      SchemaBuilder.record("row").fields()
          .optionalString("s")
          .optionalLong("l")
          .optionalDouble("d")
          .optionalInt("i")
          .optionalBoolean("b")
          .optionalFloat("f")
          .optionalBytes("y")
          .name("a").type().optional().array().items().doubleType()
          .name("t").type(Schema.createUnion(MICROS, Schema.create(Schema.Type.NULL))).noDefault()
          .name("nl").type(Schema.createUnion(Schema.create(Schema.Type.LONG), Schema.create(Schema.Type.NULL))).noDefault()
          .name("three").type().unionOf().nullType().and().longType().and().stringType().endUnion().noDefault()
          .endRecord();

  @Test
  void writesTheSameBytesAsAvrosWriter() throws IOException {
    GenericRecord full = record("x", 7L, 1.5, 3, true, 2.5f, ByteBuffer.wrap(new byte[] {1, 2}),
        List.of(0.5, -1.0), 1_700_000_000_000_000L, 9L, "three");
    GenericRecord nulls = record(null, null, null, null, null, null, null, null, null, null, null);
    GenericRecord mixed = record(new org.apache.avro.util.Utf8("u"), null, -0.0, null, false, null, null,
        List.of(), null, -4L, 5L);
    for (GenericRecord r : List.of(full, nulls, mixed)) {
      assertArrayEquals(bytes(new GenericDatumWriter<>(SCHEMA), r), bytes(new AvroFormat.RecordWriter(SCHEMA), r), r.toString());
    }
  }

  @Test
  void aValueThatFitsNoBranchStillFails() {
    GenericRecord wrong = record(null, 7, null, null, null, null, null, null, null, null, null); // an Integer for ["null","long"]
    assertThrows(UnresolvedUnionException.class, () -> bytes(new AvroFormat.RecordWriter(SCHEMA), wrong));
    GenericRecord wrongString = record(12L, null, null, null, null, null, null, null, null, null, null);
    assertThrows(UnresolvedUnionException.class, () -> bytes(new AvroFormat.RecordWriter(SCHEMA), wrongString));
  }

  private static GenericRecord record(Object... values) {
    GenericRecord r = new GenericData.Record(SCHEMA);
    assertEquals(SCHEMA.getFields().size(), values.length, Arrays.toString(values));
    for (int i = 0; i < values.length; i++) {
      r.put(i, values[i]);
    }
    return r;
  }

  private static byte[] bytes(DatumWriter<GenericRecord> writer, GenericRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
    writer.write(r, e);
    e.flush();
    return out.toByteArray();
  }
}
