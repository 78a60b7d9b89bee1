package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/** Avro values decode by the JSON rules; timestamps keep the precision their logical type gives. */
class AvroRecordDecoderTest {

  static final String FIELDS =
      "  - {name: ts, type: timestamp}\n"
          + "  - {name: user, type: string, required: true}\n"
          + "  - {name: n, type: int}\n"
          + "  - {name: x, type: double}\n"
          + "  - {name: ok, type: bool}\n"
          + "  - {name: seen, type: timestamp}\n";

  @Test
  void decodesTypesAndLogicalTimestamps() throws Exception {
    SourceDef def = SchemaEvolutionTest.source(FIELDS);
    Schema s =
        SchemaEvolutionTest.writer(
            SchemaEvolutionTest.TS_MICROS
                + ",{\"name\":\"user\",\"type\":\"bytes\"},{\"name\":\"n\",\"type\":\"int\"},"
                + "{\"name\":\"x\",\"type\":\"float\"},{\"name\":\"ok\",\"type\":[\"null\",\"boolean\"]},"
                + "{\"name\":\"seen\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}");
    GenericRecord r = new GenericData.Record(s);
    r.put("ts", 1_767_225_600_123_456L);
    r.put("user", ByteBuffer.wrap("ü".getBytes(StandardCharsets.UTF_8)));
    r.put("n", 7);
    r.put("x", 1.5f);
    r.put("ok", null);
    r.put("seen", -1L);
    SourceRecord out = new AvroRecordDecoder(def).decode(r, "o");
    assertArrayEquals(
        new Object[] {1_767_225_600_123_456_000L, "ü", 7L, 1.5, null, -1_000_000L}, out.values());
    assertEquals(1_767_225_600_123L, out.eventTimeMillis());
  }

  @Test
  void textTimestampsFollowTheFormatAndBadValuesNameTheField() throws Exception {
    SourceDef def = SchemaEvolutionTest.source(FIELDS);
    Schema s =
        SchemaEvolutionTest.writer(
            "{\"name\":\"ts\",\"type\":\"string\"},{\"name\":\"user\",\"type\":[\"null\",\"string\"]},"
                + "{\"name\":\"n\",\"type\":\"string\"}");
    GenericRecord r = new GenericData.Record(s);
    r.put("ts", new Utf8("2026-01-01T00:00:00.000000001Z"));
    r.put("user", "u");
    r.put("n", "12");
    assertEquals(1_767_225_600_000_000_001L, new AvroRecordDecoder(def).decode(r, "o").eventTimeNanos());
    r.put("n", "twelve");
    BadRecordException e = assertThrows(BadRecordException.class, () -> new AvroRecordDecoder(def).decode(r, "o"));
    assertEquals("field 'n' is 'twelve', not an integer", e.getMessage());
    r.put("n", null);
    r.put("user", null);
    e = assertThrows(BadRecordException.class, () -> new AvroRecordDecoder(def).decode(r, "o"));
    assertEquals("required field 'user' is missing", e.getMessage());
    assertEquals("{\"ts\": \"2026-01-01T00:00:00.000000001Z\", \"user\": null, \"n\": null}", AvroRecordDecoder.toJson(r));
  }

  @Test
  void aDecimalIsItsNumberNotItsBytesAndAnInstantPastNanosecondsIsBadInput() throws Exception {
    SourceDef def = SchemaEvolutionTest.source(FIELDS.replace("{name: user, type: string, required: true}", "{name: user, type: string}"));
    Schema s =
        SchemaEvolutionTest.writer(
            SchemaEvolutionTest.TS_MICROS
                + ",{\"name\":\"user\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}},"
                + "{\"name\":\"n\",\"type\":{\"type\":\"fixed\",\"name\":\"d\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":9,\"scale\":0}}");
    GenericRecord r = new GenericData.Record(s);
    r.put("ts", 1_767_225_600_123_456L);
    r.put("user", ByteBuffer.wrap(java.math.BigInteger.valueOf(-12_345).toByteArray()));
    r.put("n", new GenericData.Fixed(s.getField("n").schema(), new byte[] {0, 0, 1, 0}));
    assertArrayEquals(
        new Object[] {1_767_225_600_123_456_000L, "-123.45", 256L, null, null, null},
        new AvroRecordDecoder(def).decode(r, "o").values());
    r.put("ts", 253_402_214_400_000_000L); // 9999-12-31
    BadRecordException e = assertThrows(BadRecordException.class, () -> new AvroRecordDecoder(def).decode(r, "o"));
    assertEquals("field 'ts' is '9999-12-31T00:00:00Z', not a timestamp in range (1677-09-21 to 2262-04-11,"
        + " as nanoseconds hold)", e.getMessage());
  }
}
