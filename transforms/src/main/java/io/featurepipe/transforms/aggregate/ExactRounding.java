package io.featurepipe.transforms.aggregate;

import java.math.BigInteger;

/**
 * Rounds an exact rational {@code num / den * 2^exp2} once to the nearest double (ties to even),
 * with gradual underflow to subnormals and overflow to ±Infinity, as IEEE 754 rounds the result of
 * a single operation. Used only when reading results, never per add.
 */
final class ExactRounding {
  private ExactRounding() {}

  /**
   * {@code num / den * 2^exp2}, rounded once to the nearest double, ties to even; a non-zero value
   * too small for a subnormal rounds to a zero of its sign, one too large to ±Infinity.
   *
   * @param den positive
   */
  static double toDouble(BigInteger num, BigInteger den, int exp2) {
    int sign = num.signum();
    if (sign == 0) {
      return 0.0;
    }
    if (den.signum() <= 0) {
      throw new IllegalArgumentException("denominator must be positive: " + den);
    }
    BigInteger a = num.abs();
    // Scale so that the integer quotient has 56 or 57 bits: 53 for the double, the rest to round.
    int shift = 56 - (a.bitLength() - den.bitLength());
    BigInteger[] qr =
        shift >= 0
            ? a.shiftLeft(shift).divideAndRemainder(den)
            : a.divideAndRemainder(den.shiftLeft(-shift));
    long q = qr[0].longValueExact();
    boolean sticky = qr[1].signum() != 0;
    return round(sign, q, sticky, (long) exp2 - shift);
  }

  /**
   * Rounds {@code sign * (q + fraction) * 2^e} once, where {@code 0 <= fraction < 1} is non-zero
   * exactly when {@code sticky}.
   *
   * @param sign 1 or -1
   * @param q positive, with at least 56 significant bits (53 for the double, the rest to round)
   */
  static double round(int sign, long q, boolean sticky, long e) {
    int bits = 64 - Long.numberOfLeadingZeros(q);
    long topExponent = bits - 1 + e; // |value| in [2^topExponent, 2^(topExponent + 1))
    if (topExponent > Double.MAX_EXPONENT) {
      return sign > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    // Normal results keep 53 bits; subnormal ones the bits from 2^topExponent down to 2^-1074.
    long precision = topExponent >= Double.MIN_EXPONENT ? 53 : topExponent + 1075;
    long drop = bits - precision; // >= 3 for normal results
    long kept;
    if (drop >= 63) {
      kept = 0; // below half the smallest subnormal
    } else {
      kept = q >>> drop;
      long rest = q & ((1L << drop) - 1);
      long half = 1L << (drop - 1);
      if (rest > half || (rest == half && (sticky || (kept & 1) != 0))) {
        kept++;
      }
    }
    if (kept == 0) {
      return sign > 0 ? 0.0 : -0.0;
    }
    // kept <= 2^53 and its lowest bit is representable: scalb is exact here (or overflows to inf).
    double magnitude = Math.scalb((double) kept, (int) (e + drop));
    return sign > 0 ? magnitude : -magnitude;
  }
}
