package io.featurepipe.pipelines.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.decode.BadRecordException;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/** Spine times: ISO-8601 with any offset at full precision, epoch units told apart or named. */
class SpineTimestampsTest {
  static final long T = 1_772_445_600_000L; // 2026-03-02T10:00:00Z in millis
  static final SpineTimestamps AUTO = SpineTimestamps.of(null);

  static String error(SpineTimestamps ts, Object v) {
    return assertThrows(BadRecordException.class, () -> ts.parse(v, null)).getMessage();
  }

  @Test
  void autoReadsIsoAtFullPrecisionWithAnyOffset() throws Exception {
    assertEquals(T * 1_000_000L, AUTO.parse("2026-03-02T10:00:00Z", null));
    assertEquals(T * 1_000_000L + 123_456_789L, AUTO.parse("2026-03-02T10:00:00.123456789Z", null));
    assertEquals(T * 1_000_000L, AUTO.parse("2026-03-02T11:00:00+01:00", null));
    assertEquals(T * 1_000_000L, AUTO.parse("2026-03-02T05:30:00-04:30", null));
    assertEquals(T * 1_000_000L + 1_000L, AUTO.parse(new Utf8("2026-03-02T10:00:00.000001"), null), "no zone: UTC");
  }

  @Test
  void autoReadsIntegersAsEpochMillisAndRefusesOtherUnits() throws Exception {
    assertEquals(T * 1_000_000L, AUTO.parse(T, null));
    assertEquals(T * 1_000_000L, AUTO.parse(String.valueOf(T), null));
    assertTrue(error(AUTO, T / 1000).contains("it looks like epoch_seconds"), error(AUTO, T / 1000));
    assertTrue(error(AUTO, T * 1000).contains("it looks like epoch_micros"));
    assertTrue(error(AUTO, "12").contains("not epoch millis between 1980 and 2200"));
    assertTrue(error(AUTO, 1.5e12).contains("not an ISO-8601 text or integer epoch millis"));
    assertTrue(error(AUTO, "tomorrow").contains("is 'tomorrow', not an ISO-8601 time or integer epoch millis"));
    assertEquals("is empty", error(AUTO, null));
  }

  @Test
  void namedUnitsAndPatterns() throws Exception {
    assertEquals(T * 1_000_000L, SpineTimestamps.of("epoch_seconds").parse(T / 1000, null));
    assertEquals(T * 1_000_000L + 7_000L, SpineTimestamps.of("epoch_micros").parse(String.valueOf(T * 1000 + 7), null));
    assertEquals(T * 1_000_000L, SpineTimestamps.of("yyyy-MM-dd HH:mm:ss").parse("2026-03-02 10:00:00", null));
    assertTrue(error(SpineTimestamps.of("iso8601"), T).contains("where a iso8601 timestamp string was expected"), error(SpineTimestamps.of("iso8601"), T));
    assertThrows(IllegalArgumentException.class, () -> SpineTimestamps.of("epoch_fortnights"));
  }

  @Test
  void avroLogicalTypesWinOverTheFormat() throws Exception {
    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    Schema nullableMicros = Schema.createUnion(Schema.create(Schema.Type.NULL), micros);
    assertEquals(T * 1_000_000L + 5_000L, AUTO.parse(T * 1000 + 5, micros));
    assertEquals(T * 1_000_000L + 5_000L, AUTO.parse(T * 1000 + 5, nullableMicros));
    assertEquals(T * 1_000_000L, SpineTimestamps.of("epoch_seconds").parse(T, millis));
  }
}
