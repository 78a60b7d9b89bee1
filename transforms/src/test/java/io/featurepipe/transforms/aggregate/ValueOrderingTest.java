package io.featurepipe.transforms.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueOrderingTest {

  @Test
  void stringsCompareByCodePointNotByUtf16Unit() {
    String supplementary = "\uD83D\uDE00"; // U+1F600
    assertTrue("\uFFFF".compareTo(supplementary) > 0, "String.compareTo puts U+FFFF above");
    assertTrue(ValueOrdering.compare("\uFFFF", supplementary) < 0);
    assertTrue(ValueOrdering.compare("\uE000", "\uD800\uDC00") < 0);
    assertTrue(ValueOrdering.compare("\uD7FF", "\uD800\uDC00") < 0);
    assertTrue(ValueOrdering.compare("a", "ab") < 0);
    assertTrue(ValueOrdering.compare("b", "ab") > 0);
    assertEquals(0, ValueOrdering.compare("x\uD83D\uDE00", "x\uD83D\uDE00"));
  }

  @Test
  void stringOrderAgreesWithCodePointArraysOnRandomStrings() {
    Random r = new Random(1);
    int[] pool = {0x41, 0x7A, 0xE9, 0x4E2D, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (int i = 0; i < 20_000; i++) {
      String a = randomString(r, pool);
      String b = r.nextInt(5) == 0 ? a : randomString(r, pool);
      assertEquals(
          Integer.signum(AccumulatorTesting.refCompareStrings(a, b)),
          Integer.signum(ValueOrdering.compare(a, b)),
          a + " vs " + b);
    }
  }

  private static String randomString(Random r, int[] pool) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(pool[r.nextInt(pool.length)]);
    }
    return sb.toString();
  }

  @Test
  void numbersBoolsAndTimestamps() {
    assertTrue(ValueOrdering.compare(Double.NaN, Double.POSITIVE_INFINITY) > 0);
    assertEquals(0, ValueOrdering.compare(Double.NaN, AccumulatorTesting.NAN_WITH_PAYLOAD));
    assertTrue(ValueOrdering.compare(-0.0, 0.0) < 0);
    assertTrue(ValueOrdering.compare(Double.NEGATIVE_INFINITY, -Double.MAX_VALUE) < 0);
    assertTrue(ValueOrdering.compare(Long.MIN_VALUE, Long.MAX_VALUE) < 0);
    assertTrue(ValueOrdering.compare(false, true) < 0);
    assertEquals(0, ValueOrdering.compare(true, true));
    assertThrows(IllegalArgumentException.class, () -> ValueOrdering.compare(1L, 1.0));
    assertThrows(IllegalArgumentException.class, () -> ValueOrdering.compare(1, 1));
  }

  @Test
  void isATotalOrderOnEveryType() {
    Random r = new Random(2);
    for (ColumnType type : ColumnType.values()) {
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        values.add(AccumulatorTesting.canonical(AccumulatorTesting.randomValue(type, r, true)));
      }
      for (Object a : values) {
        for (Object b : values) {
          int ab = ValueOrdering.compare(a, b);
          assertEquals(-Integer.signum(ab), Integer.signum(ValueOrdering.compare(b, a)));
          assertEquals(ab == 0, a.equals(b), a + " vs " + b); // consistent with equals
          assertEquals(Integer.signum(AccumulatorTesting.REF_ORDER.compare(a, b)), Integer.signum(ab), a + " vs " + b);
          for (Object c : values.subList(0, 15)) {
            if (ab <= 0 && ValueOrdering.compare(b, c) <= 0) {
              assertTrue(ValueOrdering.compare(a, c) <= 0);
            }
          }
        }
      }
    }
  }
}
