package io.featurepipe.runners.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.ValueType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON and command-line forms of values, and the times of reads. */
class TypedValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void featureValuesAsJson() {
    assertEquals("5", TypedValues.toJson(5L, ValueType.scalar(ColumnType.INT64)).toString());
    assertEquals("2.5", TypedValues.toJson(2.5, ValueType.scalar(ColumnType.DOUBLE)).toString());
    assertEquals("\"NaN\"", TypedValues.toJson(Double.NaN, ValueType.scalar(ColumnType.DOUBLE)).toString());
    assertEquals("true", TypedValues.toJson(true, ValueType.scalar(ColumnType.BOOL)).toString());
    assertEquals("\"a\\\"b\"", TypedValues.toJson("a\"b", ValueType.scalar(ColumnType.STRING)).toString());
    assertEquals("\"2026-01-09T10:00:00.000000001Z\"", TypedValues.toJson(1767952800_000_000_001L, ValueType.scalar(ColumnType.TIMESTAMP)).toString());
    assertEquals("null", TypedValues.toJson(null, ValueType.scalar(ColumnType.DOUBLE)).toString());
    assertEquals("[\"DE\",\"FR\"]", TypedValues.toJson(List.of("DE", "FR"), ValueType.listOf(ColumnType.STRING)).toString());
    assertEquals("[]", TypedValues.toJson(List.of(), ValueType.listOf(ColumnType.DOUBLE)).toString());
    assertEquals("[1.5,null]", TypedValues.toJson(Arrays.asList(1.5, null), ValueType.listOf(ColumnType.DOUBLE)).toString());
  }

  @Test
  void inputIsStrictAboutTypes() throws Exception {
    assertEquals("u1", TypedValues.fromJson(JSON.readTree("\"u1\""), ColumnType.STRING, "k"));
    assertEquals(42L, TypedValues.fromJson(JSON.readTree("42"), ColumnType.INT64, "k"));
    assertEquals(42.0, TypedValues.fromJson(JSON.readTree("42"), ColumnType.DOUBLE, "k"));
    assertEquals(1767952800_000_000_000L, TypedValues.fromJson(JSON.readTree("\"2026-01-09T11:00:00+01:00\""), ColumnType.TIMESTAMP, "k"));
    assertNull(TypedValues.fromJson(JSON.readTree("null"), ColumnType.BOOL, "k"));
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("42"), ColumnType.STRING, "key column 'user_id'"), "key column 'user_id' is string, not the number 42");
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("4.5"), ColumnType.INT64, "x"), "x is int, not the number 4.5");
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("\"true\""), ColumnType.BOOL, "x"), "x is bool, not the string \"true\"");
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("[1]"), ColumnType.DOUBLE, "x"), "x is double, not an array");
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("1767952800"), ColumnType.TIMESTAMP, "x"), "write it as an ISO-8601 string");
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("99999999999999999999"), ColumnType.INT64, "x"), "x is int, not the number");
    // a lone surrogate escape: refused, as the sources refuse it
    assertMessage(() -> TypedValues.fromJson(JSON.readTree("\"u\\ud800\""), ColumnType.STRING, "key column 'user_id'"),
        "key column 'user_id' is 'u\\ud800', which holds an unpaired surrogate (\\ud800 at character 2)");
    assertEquals("u\ud83d\ude00", TypedValues.fromJson(JSON.readTree("\"u\\ud83d\\ude00\""), ColumnType.STRING, "k"));
    assertMessage(() -> TypedValues.fromText("u\udc00", ColumnType.STRING, "k"), "k is 'u\\udc00', which holds an unpaired surrogate");
    assertEquals(-7L, TypedValues.fromText(" -7", ColumnType.INT64, "k"));
    assertEquals(false, TypedValues.fromText("FALSE", ColumnType.BOOL, "k"));
    assertMessage(() -> TypedValues.fromText("1.5", ColumnType.INT64, "k"), "k is int, not '1.5'");
    assertMessage(() -> TypedValues.fromText("yes", ColumnType.BOOL, "k"), "k is bool (true or false), not 'yes'");
    assertMessage(() -> TypedValues.fromText("2026-01-09", ColumnType.TIMESTAMP, "k"), "k is a timestamp");
  }

  @Test
  void timesOfReads() {
    assertEquals(1767952800_000_000_000L, AsOf.parse("2026-01-09T10:00:00Z"));
    assertEquals(1767952800_123_456_789L, AsOf.parse("2026-01-09T11:00:00.123456789+01:00"));
    assertEquals(1767916800_000_000_000L, AsOf.parse("2026-01-09"));
    assertEquals("2026-01-09T10:00:00.123456789Z", AsOf.format(1767952800_123_456_789L));
    assertMessage(() -> AsOf.parse("2026-01-09T10:00:00"), "as_of '2026-01-09T10:00:00' is not a time");
    assertMessage(() -> AsOf.parse("tomorrow"), "give an ISO-8601 time with Z or an offset");
    assertMessage(() -> AsOf.parse(" "), "as_of is empty");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
    InvalidRequestException x = assertThrows(InvalidRequestException.class, e);
    assertTrue(x.getMessage().contains(fragment), x.getMessage());
  }
}
