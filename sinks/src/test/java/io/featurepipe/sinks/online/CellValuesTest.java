package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips of the cell encoding for every value type, and its documented bytes. */
class CellValuesTest {
  private static final double[] DOUBLES = {
    Double.NaN, Double.longBitsToDouble(0x7ff0_0000_0000_0001L), Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY, Double.MAX_VALUE, Double.MIN_VALUE, -0.0, 0.0, 1e-310, 0.1, -123.456
  };
  private static final long[] LONGS = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, 1L << 53};
  private static final String[] STRINGS = {"", "a", "\uD83D\uDE00", "\uD800", "\uDC00x", "a#b:c", "\u0000", "é"};

  static Object randomScalar(Random r, ColumnType type) {
    return switch (type) {
      case INT64, TIMESTAMP -> r.nextBoolean() ? LONGS[r.nextInt(LONGS.length)] : r.nextLong();
      case DOUBLE -> r.nextBoolean() ? DOUBLES[r.nextInt(DOUBLES.length)] : r.nextGaussian() * 1e6;
      case BOOL -> r.nextBoolean();
      case STRING -> {
        if (r.nextBoolean()) {
          yield STRINGS[r.nextInt(STRINGS.length)];
        }
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
          b.append((char) r.nextInt(0x10000)); // any UTF-16 unit, lone surrogates included
        }
        yield b.toString();
      }
    };
  }

  static Object randomValue(Random r, ValueType type) {
    if (r.nextInt(8) == 0) {
      return null;
    }
    if (!type.list()) {
      return randomScalar(r, type.element());
    }
    List<Object> list = new ArrayList<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      list.add(randomScalar(r, type.element()));
    }
    return list;
  }

  @Test
  void everyTypeRoundTrips() {
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      for (ColumnType element : ColumnType.values()) {
        for (boolean list : new boolean[] {false, true}) {
          ValueType type = new ValueType(element, list);
          for (int i = 0; i < 300; i++) {
            Object v = randomValue(r, type);
            ByteString cell = CellValues.encode(v, type);
            Object back = CellValues.decode(cell, type, "test");
            assertEquals(canonical(v), canonical(back), type + " seed " + seed);
            assertEquals(cell, CellValues.encode(back, type), "encoding is deterministic");
          }
        }
      }
    }
  }

  /** Doubles by their raw bits, so NaN payloads and signed zeros count. */
  private static Object canonical(Object v) {
    if (v instanceof Double d) {
      return "d" + Double.doubleToRawLongBits(d);
    }
    if (v instanceof List<?> l) {
      return l.stream().map(CellValuesTest::canonical).toList();
    }
    return v;
  }

  @Test
  void documentedBytes() {
    assertArrayEquals(new byte[] {0x00}, CellValues.encode(null, ValueType.scalar(ColumnType.DOUBLE)).toByteArray());
    assertArrayEquals(new byte[] {0x01, 0, 0, 0, 0, 0, 0, 0, 5}, CellValues.encode(5L, ValueType.scalar(ColumnType.INT64)).toByteArray());
    assertArrayEquals(new byte[] {0x03, 1}, CellValues.encode(true, ValueType.scalar(ColumnType.BOOL)).toByteArray());
    assertArrayEquals(new byte[] {0x04, 'h', 'i'}, CellValues.encode("hi", ValueType.scalar(ColumnType.STRING)).toByteArray());
    assertArrayEquals(
        new byte[] {0x14, 0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0},
        CellValues.encode(List.of("a", ""), ValueType.listOf(ColumnType.STRING)).toByteArray());
    assertArrayEquals(new byte[] {0x12, 0, 0, 0, 0}, CellValues.encode(List.of(), ValueType.listOf(ColumnType.DOUBLE)).toByteArray());
    byte[] d = CellValues.encode(-0.0, ValueType.scalar(ColumnType.DOUBLE)).toByteArray();
    assertEquals(0x02, d[0]);
    assertEquals((byte) 0x80, d[1]);
  }

  @Test
  void aCellOfAnotherTypeFailsClearly() {
    ByteString cell = CellValues.encode(5L, ValueType.scalar(ColumnType.INT64));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CellValues.decode(cell, ValueType.scalar(ColumnType.DOUBLE), "feature g.f"));
    assertTrue(e.getMessage().startsWith("feature g.f: the cell holds type tag 0x1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CellValues.encode("x", ValueType.scalar(ColumnType.INT64)));
    assertThrows(IllegalArgumentException.class, () -> CellValues.encode(List.of(1L), ValueType.scalar(ColumnType.INT64)));
  }
}
