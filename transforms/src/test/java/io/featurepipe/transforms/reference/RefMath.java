package io.featurepipe.transforms.reference;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact arithmetic and value ordering for {@link ReferenceFeatures}, written from DESIGN §2 without
 * looking at how production does it: exact rationals ({@link BigDecimal}, {@link BigInteger}) and
 * one correctly rounded conversion to double at the end (round half to even, gradual underflow,
 * overflow to infinity). {@link RefMathTest} checks the rounding against IEEE hardware operations.
 */
final class RefMath {
  private RefMath() {}

  private static final int MIN_EXPONENT = -1074; // the quantum of subnormals: 2^-1074
  private static final int MAX_EXPONENT = 971; // largest double = (2^53 - 1) * 2^971

  /** {@code num / den} rounded once to the nearest double, ties to even. Zero gives +0.0. */
  static double round(BigInteger num, BigInteger den) {
    if (den.signum() == 0) {
      throw new ArithmeticException("division by zero");
    }
    if (den.signum() < 0) {
      num = num.negate();
      den = den.negate();
    }
    if (num.signum() == 0) {
      return 0.0;
    }
    boolean negative = num.signum() < 0;
    BigInteger a = num.abs();
    // Find e such that floor(a / (den * 2^e)) has exactly 53 bits (or e = MIN_EXPONENT).
    int e = a.bitLength() - den.bitLength() - 53;
    while (true) {
      int bits = quotient(a, den, e)[0].bitLength();
      if (bits > 53) {
        e++;
      } else if (bits < 53) {
        e--;
      } else {
        break;
      }
    }
    if (e < MIN_EXPONENT) {
      e = MIN_EXPONENT;
    }
    BigInteger[] qr = quotient(a, den, e);
    BigInteger q = qr[0];
    BigInteger divisor = e >= 0 ? den.shiftLeft(e) : den;
    int half = qr[1].shiftLeft(1).compareTo(divisor);
    if (half > 0 || (half == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
    }
    if (q.bitLength() > 53) {
      q = q.shiftRight(1); // q was 2^53: exact
      e++;
    }
    if (e > MAX_EXPONENT) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    double magnitude = Math.scalb((double) q.longValueExact(), e); // exact: q < 2^53, e >= -1074
    return negative ? -magnitude : magnitude;
  }

  /** floor(a / (den * 2^e)) and the remainder, for a, den > 0. */
  private static BigInteger[] quotient(BigInteger a, BigInteger den, int e) {
    return e >= 0 ? a.divideAndRemainder(den.shiftLeft(e)) : a.shiftLeft(-e).divideAndRemainder(den);
  }

  /** An exact decimal rounded once to the nearest double. */
  static double round(BigDecimal x) {
    BigInteger[] r = rational(x);
    return round(r[0], r[1]);
  }

  /** {@code num / den}, both exact decimals, rounded once. */
  static double round(BigDecimal num, BigDecimal den) {
    BigInteger[] n = rational(num);
    BigInteger[] d = rational(den);
    return round(n[0].multiply(d[1]), n[1].multiply(d[0]));
  }

  /** {numerator, denominator} of an exact decimal. */
  static BigInteger[] rational(BigDecimal x) {
    BigInteger unscaled = x.unscaledValue();
    int scale = x.scale();
    if (scale <= 0) {
      return new BigInteger[] {unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE};
    }
    return new BigInteger[] {unscaled, BigInteger.TEN.pow(scale)};
  }

  /** The exact value of a finite double. */
  static BigDecimal exact(double d) {
    return new BigDecimal(d);
  }

  /** Strings by Unicode code point (DESIGN §2), not by UTF-16 unit. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /**
   * The order of DESIGN §2 for non-null values of one column type: numbers numerically with NaN
   * last (-0.0 is placed just below 0.0, the usual total order, so that results are deterministic),
   * strings by code point, false before true; timestamps and ints as longs.
   */
  static int compareValues(Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Double x && b instanceof Double y) {
      boolean xn = x.isNaN();
      boolean yn = y.isNaN();
      if (xn || yn) {
        return xn && yn ? 0 : xn ? 1 : -1;
      }
      if (x.doubleValue() != y.doubleValue()) {
        return x < y ? -1 : 1;
      }
      // numerically equal: only -0.0 vs 0.0 remains
      boolean xNegZero = x == 0 && 1 / x < 0;
      boolean yNegZero = y == 0 && 1 / y < 0;
      return xNegZero == yNegZero ? 0 : xNegZero ? -1 : 1;
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return x == y ? 0 : x ? 1 : -1;
    }
    throw new IllegalArgumentException("cannot compare " + a + " and " + b);
  }

  /** Same value for feature comparisons: doubles by bits (one NaN), lists element-wise. */
  static boolean same(Object a, Object b) {
    if (a instanceof Double x && b instanceof Double y) {
      return Double.doubleToLongBits(x) == Double.doubleToLongBits(y);
    }
    if (a instanceof java.util.List<?> x && b instanceof java.util.List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return java.util.Objects.equals(a, b);
  }
}
