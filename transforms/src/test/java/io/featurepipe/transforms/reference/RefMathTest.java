package io.featurepipe.transforms.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference's single rounding must be IEEE 754 round-to-nearest-even: one IEEE operation on two
 * doubles is exactly the exact result rounded once, so {@link RefMath#round} over the exact sum,
 * product and quotient must reproduce {@code +}, {@code *} and {@code /} bit for bit, including
 * subnormal results, overflow and ties.
 */
class RefMathTest {

  private static double randomDouble(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return Double.longBitsToDouble(r.nextLong() & 0x7fef_ffff_ffff_ffffL) * (r.nextBoolean() ? 1 : -1);
      case 1:
        return (r.nextInt(2001) - 1000) * Math.scalb(1.0, r.nextInt(40) - 20); // exact ties
      case 2:
        return Double.longBitsToDouble(r.nextInt(1 << 20)) * (r.nextBoolean() ? 1 : -1); // subnormal
      case 3:
        return Double.MAX_VALUE * r.nextDouble();
      default:
        return r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
    }
  }

  private static void same(double want, double got, String what) {
    assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), what + ": " + want + " vs " + got);
  }

  @Test
  void roundingMatchesIeeeArithmetic() {
    Random r = new Random(1);
    for (int i = 0; i < 40_000; i++) {
      double a = randomDouble(r);
      double b = randomDouble(r);
      BigDecimal x = RefMath.exact(a);
      BigDecimal y = RefMath.exact(b);
      if (a + b != 0) {
        same(a + b, RefMath.round(x.add(y)), a + " + " + b);
      }
      if (a * b != 0) {
        same(a * b, RefMath.round(x.multiply(y)), a + " * " + b);
      }
      if (b != 0 && a / b != 0) {
        same(a / b, RefMath.round(x, y), a + " / " + b);
      }
    }
  }

  @Test
  void roundingEdges() {
    same(Double.MIN_VALUE, RefMath.round(BigInteger.ONE, BigInteger.ONE.shiftLeft(1074)), "min subnormal");
    same(0.0, RefMath.round(BigInteger.ONE, BigInteger.ONE.shiftLeft(1075)), "half of it ties to even 0");
    same(Double.MIN_VALUE, RefMath.round(BigInteger.valueOf(3), BigInteger.ONE.shiftLeft(1076)), "3/4 of it");
    same(Double.POSITIVE_INFINITY, RefMath.round(RefMath.exact(Double.MAX_VALUE).multiply(BigDecimal.valueOf(2))), "overflow");
    same(-Double.MAX_VALUE, RefMath.round(RefMath.exact(-Double.MAX_VALUE)), "max");
    same(1.0 / 3, RefMath.round(BigInteger.ONE, BigInteger.valueOf(3)), "1/3");
    same(0.1, RefMath.round(new BigDecimal("0.1")), "0.1");
  }

  @Test
  void codePointOrder() {
    assertTrue(RefMath.compareCodePoints("\uE000", "\uD83D\uDE00") < 0, "U+E000 < U+1F600");
    assertTrue("\uE000".compareTo("\uD83D\uDE00") > 0, "(UTF-16 order says the opposite)");
    assertTrue(RefMath.compareCodePoints("z", "z\uD83D\uDE00") < 0);
    assertTrue(RefMath.compareCodePoints("", "a") < 0);
    assertEquals(0, RefMath.compareCodePoints("ab", "ab"));
    assertTrue(RefMath.compareValues(Double.NaN, Double.POSITIVE_INFINITY) > 0, "NaN last");
    assertTrue(RefMath.compareValues(-0.0, 0.0) < 0);
    assertTrue(RefMath.compareValues(false, true) < 0);
  }
}
