package io.featurepipe.transforms.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.record.SourceRecord;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * JSON lines decode by the declared types: the values and the reasons for every kind of JSON value
 * in a declared field, undeclared fields of any shape ignored, and malformed lines.
 */
class JsonRecordDecoderTest {
  private static final String TS = "\"ts\":\"2026-01-01T00:00:00.5Z\"";
  private static final long TS_NANOS = 1_767_225_600_500_000_000L;

  private static RecordDecoder decoder() throws Exception {
    return new RecordDecoder(SchemaEvolutionTest.source(AvroRecordDecoderTest.FIELDS));
  }

  private static Object[] values(String line) throws Exception {
    return decoder().fromJson(line, "f:1").values();
  }

  private static String reason(String line) throws Exception {
    RecordDecoder d = decoder();
    return assertThrows(BadRecordException.class, () -> d.fromJson(line, "f:1")).getMessage();
  }

  @Test
  void declaredFieldsDecodeAndUndeclaredOnesOfAnyShapeAreSkipped() throws Exception {
    SourceRecord r =
        decoder()
            .fromJson(
                "{\"skip\":{\"a\":[1,{\"b\":\"}\"}],\"c\":null}," + TS + ",\"user\":\"ü\",\"n\":7,"
                    + "\"more\":[[],{}],\"x\":2.5,\"ok\":true,\"seen\":\"2026-01-01T00:00:00Z\"}",
                "f:1");
    assertEquals(TS_NANOS, r.eventTimeNanos());
    assertArrayEquals(new Object[] {TS_NANOS, "ü", 7L, 2.5, true, 1_767_225_600_000_000_000L}, r.values());
    assertEquals("f:1", r.origin());
  }

  @Test
  void textAndNumbersConvertByTheDeclaredType() throws Exception {
    assertArrayEquals(
        new Object[] {TS_NANOS, "u", 7L, Double.NaN, true, null},
        values("{" + TS + ",\"user\":\"u\",\"n\":\"7\",\"x\":\"NaN\",\"ok\":\"TRUE\",\"seen\":null}"));
    // an integer where a double is declared; a long past int's range
    assertArrayEquals(
        new Object[] {TS_NANOS, "u", 9_000_000_000L, 2.0, false, null},
        values("{" + TS + ",\"user\":\"u\",\"n\":9000000000,\"x\":2,\"ok\":false}"));
  }

  @Test
  void aFieldGivenTwiceCountsByItsLastValue() throws Exception {
    assertEquals(2L, values("{" + TS + ",\"user\":\"u\",\"n\":\"bad\",\"n\":2}")[2]);
    assertEquals(null, values("{" + TS + ",\"user\":\"u\",\"n\":2,\"n\":null}")[2]);
  }

  @Test
  void wrongValuesAreNamedWithTheirJsonText() throws Exception {
    assertEquals("field 'n' is '1.5', not an integer", reason("{" + TS + ",\"user\":\"u\",\"n\":1.5}"));
    String big = new BigInteger("123456789012345678901234").toString();
    assertEquals("field 'n' is '" + big + "', not an integer", reason("{" + TS + ",\"user\":\"u\",\"n\":" + big + "}"));
    assertEquals("field 'user' is '{\"a\":[1]}', not a string", reason("{" + TS + ",\"user\":{\"a\":[1]}}"));
    assertEquals("field 'user' is '[\"a\"]', not a string", reason("{" + TS + ",\"user\":[\"a\"]}"));
    assertEquals("field 'user' is '3', not a string", reason("{" + TS + ",\"user\":3}"));
    assertEquals("field 'x' is 'true', not a number", reason("{" + TS + ",\"user\":\"u\",\"x\":true}"));
    assertEquals("field 'ok' is '1', not a boolean", reason("{" + TS + ",\"user\":\"u\",\"ok\":1}"));
    assertEquals("required field 'user' is missing", reason("{" + TS + ",\"user\":null}"));
    assertEquals("required field 'ts' is missing", reason("{\"user\":\"u\"}"));
  }

  @Test
  void linesThatAreNoJsonObjectAreRefused() throws Exception {
    for (String line : new String[] {"[1,2]", "\"x\"", "null", "7"}) {
      assertEquals("not a JSON object", reason(line), line);
    }
    // cut off, malformed, or more after the object (two records run together, a stray character)
    String valid = "{" + TS + ",\"user\":\"u\"}";
    for (String line : new String[] {
        "{" + TS + ",\"user\":\"u\"", "{" + TS + ",\"user\":", "{\"skip\":[1,2", "{x}", valid + valid, valid + " x"}) {
      assertTrue(reason(line).startsWith("not valid JSON: "), line + ": " + reason(line));
    }
    assertEquals("not valid JSON: more after the object", reason(valid + valid));
    assertEquals("u", values(valid + " \t\r")[1]);
  }
}
