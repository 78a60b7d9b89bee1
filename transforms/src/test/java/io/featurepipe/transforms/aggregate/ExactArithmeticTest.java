package io.featurepipe.transforms.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The building blocks of the exact sums: {@link ExactSum} and {@link ExactRounding}. */
class ExactArithmeticTest {

  private static BigDecimal valueOf(ExactSum s, int origin) {
    BigInteger m = s.mantissa();
    int e = s.exponent() - origin;
    return e >= 0
        ? new BigDecimal(m.shiftLeft(e))
        : new BigDecimal(m).multiply(BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(-e)));
  }

  @Test
  void exactSumHoldsDoublesLongsAndSquaresExactly() throws IOException {
    Random r = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      ExactSum values = new ExactSum();
      ExactSum squares = new ExactSum();
      BigDecimal expected = BigDecimal.ZERO;
      BigDecimal expectedSquares = BigDecimal.ZERO;
      int n = r.nextInt(50);
      for (int i = 0; i < n; i++) {
        if (r.nextBoolean()) {
          double x = AccumulatorTesting.randomDouble(r, false);
          values.addDouble(x);
          squares.addSquareOfDouble(x);
          expected = expected.add(new BigDecimal(x));
          expectedSquares = expectedSquares.add(new BigDecimal(x).pow(2));
        } else {
          long x = (Long) AccumulatorTesting.randomValue(io.featurepipe.transforms.model.ColumnType.INT64, r, false);
          values.addLong(x);
          squares.addSquareOfLong(x);
          expected = expected.add(BigDecimal.valueOf(x));
          expectedSquares = expectedSquares.add(BigDecimal.valueOf(x).pow(2));
        }
      }
      assertEquals(0, expected.compareTo(valueOf(values, ExactSum.VALUE_ORIGIN)));
      assertEquals(0, expectedSquares.compareTo(valueOf(squares, ExactSum.SQUARE_ORIGIN)));
      assertEquals(expected.signum() == 0, values.isZero());
      // the encoding round-trips and is canonical
      ExactSum decoded = roundTrip(values);
      assertEquals(0, expected.compareTo(valueOf(decoded, ExactSum.VALUE_ORIGIN)));
      assertArrayEquals(bytes(values), bytes(decoded));
    }
  }

  @Test
  void exactSumIsCanonicalForAnyOrderAndMergeAndAcrossNormalisation() throws IOException {
    Random r = new Random(4);
    List<Double> xs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      xs.add(AccumulatorTesting.randomDouble(r, false));
    }
    ExactSum reference = new ExactSum();
    for (double x : xs) {
      reference.addDouble(x);
    }
    for (int trial = 0; trial < 20; trial++) {
      Collections.shuffle(xs, r);
      int cut = r.nextInt(xs.size());
      ExactSum a = new ExactSum();
      ExactSum b = new ExactSum();
      for (int i = 0; i < xs.size(); i++) {
        (i < cut ? a : b).addDouble(xs.get(i));
      }
      byte[] before = bytes(b);
      a.mergeFrom(b);
      assertArrayEquals(before, bytes(b));
      assertArrayEquals(bytes(reference), bytes(a));
    }
    // carries across limbs and cancellation down to zero
    ExactSum s = new ExactSum();
    for (int i = 0; i < 100_000; i++) {
      s.addLong(Long.MAX_VALUE);
      s.addDouble(Double.MAX_VALUE);
    }
    for (int i = 0; i < 100_000; i++) {
      s.addLong(-Long.MAX_VALUE);
      s.addDouble(-Double.MAX_VALUE);
    }
    assertEquals(true, s.isZero());
    assertArrayEquals(bytes(new ExactSum()), bytes(s));
  }

  private static byte[] bytes(ExactSum s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.write(new DataOutputStream(out));
    return out.toByteArray();
  }

  private static ExactSum roundTrip(ExactSum s) throws IOException {
    return ExactSum.read(new DataInputStream(new ByteArrayInputStream(bytes(s))));
  }

  /** Reference rounding: BigDecimal's doubleValue is correctly rounded (ties to even). */
  private static double reference(BigInteger num, BigInteger den, int exp2) {
    BigDecimal v = new BigDecimal(num);
    v = exp2 >= 0 ? v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(exp2)))
        : v.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-exp2)));
    try {
      return v.divide(new BigDecimal(den)).doubleValue(); // exact when the quotient terminates
    } catch (ArithmeticException nonTerminating) {
      // not a tie (a tie is a terminating binary fraction): 120 digits decide the rounding
      return v.divide(new BigDecimal(den), new MathContext(120, RoundingMode.HALF_EVEN)).doubleValue();
    }
  }

  @Test
  void roundingIsCorrectIncludingTiesSubnormalsAndOverflow() {
    // ties to even
    assertEquals(0x1p53, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(53).add(BigInteger.ONE), BigInteger.ONE, 0));
    assertEquals(0x1p53 + 4, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(53).add(BigInteger.valueOf(3)), BigInteger.ONE, 0));
    BigInteger two = BigInteger.TWO;
    assertEquals(0x1p53, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(54).add(two), two, 0));
    assertEquals(0x1p53 + 4, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(54).add(BigInteger.valueOf(6)), two, 0));
    assertEquals(0x1p53 + 2, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(54).add(BigInteger.valueOf(5)), two, 0));
    assertEquals(0x1p53 + 4, ExactRounding.toDouble(BigInteger.ONE.shiftLeft(54).add(BigInteger.valueOf(7)), two, 0));
    // half the smallest subnormal: to even (zero); a bit more: the smallest subnormal
    assertEquals(0.0, ExactRounding.toDouble(BigInteger.ONE, BigInteger.ONE, -1075));
    assertEquals(Double.MIN_VALUE, ExactRounding.toDouble(BigInteger.valueOf(3), BigInteger.ONE, -1076));
    assertEquals(-0.0, ExactRounding.toDouble(BigInteger.valueOf(-1), BigInteger.ONE, -1100));
    assertEquals(Double.MIN_VALUE * 3, ExactRounding.toDouble(BigInteger.valueOf(3), BigInteger.ONE, -1074));
    assertEquals(Double.POSITIVE_INFINITY, ExactRounding.toDouble(BigInteger.ONE, BigInteger.ONE, 1024));
    assertEquals(Double.NEGATIVE_INFINITY, ExactRounding.toDouble(BigInteger.valueOf(-3), BigInteger.ONE, 1023));
    // MAX_VALUE + half an ulp rounds up to infinity (ties to even); just below stays
    BigInteger max = new BigDecimal(Double.MAX_VALUE).toBigIntegerExact();
    BigInteger halfUlp = BigInteger.ONE.shiftLeft(970);
    assertEquals(Double.POSITIVE_INFINITY, ExactRounding.toDouble(max.add(halfUlp), BigInteger.ONE, 0));
    assertEquals(Double.MAX_VALUE, ExactRounding.toDouble(max.add(halfUlp).subtract(BigInteger.ONE), BigInteger.ONE, 0));
    assertEquals(1.0 / 3, ExactRounding.toDouble(BigInteger.ONE, BigInteger.valueOf(3), 0));
    assertEquals(0.0, ExactRounding.toDouble(BigInteger.ZERO, BigInteger.valueOf(3), 0));

    Random r = new Random(5);
    for (int i = 0; i < 3000; i++) {
      BigInteger num = new BigInteger(1 + r.nextInt(200), r);
      if (r.nextBoolean()) {
        num = num.negate();
      }
      BigInteger den = r.nextInt(3) == 0 ? BigInteger.ONE : new BigInteger(1 + r.nextInt(100), r).add(BigInteger.ONE);
      int exp2 = r.nextInt(2400) - 1300;
      if (num.signum() == 0) {
        continue;
      }
      double expected = reference(num, den, exp2);
      double actual = ExactRounding.toDouble(num, den, exp2);
      assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
          num + " / " + den + " * 2^" + exp2 + ": " + expected + " vs " + actual);
    }
  }

  @Test
  void quotientOfTheLimbsIsRoundedOnceLikeTheBigIntegerQuotient() {
    // ties to even, below and past 2^31 (the limb division's bound), negative, subnormal
    assertEquals(0x1p53, sumOfLongs(1L << 53, 1).quotient(1, ExactSum.VALUE_ORIGIN));
    assertEquals(0x1p53 + 4, sumOfLongs(1L << 53, 3).quotient(1, ExactSum.VALUE_ORIGIN));
    assertEquals(-0x1p53 - 4, sumOfLongs(-(1L << 53), -3).quotient(1, ExactSum.VALUE_ORIGIN));
    assertEquals(0x1p53, sumOfLongs(1L << 54, 2).quotient(2, ExactSum.VALUE_ORIGIN));
    assertEquals(0x1p53 + 4, sumOfLongs(1L << 54, 6).quotient(2, ExactSum.VALUE_ORIGIN));
    assertEquals(0x1p53 + 2, sumOfLongs(1L << 54, 5).quotient(2, ExactSum.VALUE_ORIGIN));
    // a tie within the top 62 bits, broken by a bit far below them (in a lower limb)
    ExactSum tieAndTail = sumOfLongs(1L << 53, 1);
    tieAndTail.addDouble(0x1p-60);
    assertEquals(0x1p53 + 2, tieAndTail.quotient(1, ExactSum.VALUE_ORIGIN));
    ExactSum negativeTieAndTail = sumOfLongs(-(1L << 53), -1);
    negativeTieAndTail.addDouble(-0x1p-60);
    assertEquals(-0x1p53 - 2, negativeTieAndTail.quotient(1, ExactSum.VALUE_ORIGIN));
    ExactSum halvedTieAndTail = sumOfLongs(1L << 54, 2);
    halvedTieAndTail.addDouble(0x1p-60);
    assertEquals(0x1p53 + 2, halvedTieAndTail.quotient(2, ExactSum.VALUE_ORIGIN));
    assertEquals(1.0 / 3, sumOfLongs(1).quotient(3, ExactSum.VALUE_ORIGIN));
    assertEquals(-1.0 / 3, sumOfLongs(-1).quotient(3, ExactSum.VALUE_ORIGIN));
    assertEquals(1.0 / Integer.MAX_VALUE, sumOfLongs(1).quotient(Integer.MAX_VALUE, ExactSum.VALUE_ORIGIN));
    assertEquals(1.0 / (1L << 31), sumOfLongs(1).quotient(1L << 31, ExactSum.VALUE_ORIGIN));
    assertEquals(0.0, sumOfLongs().quotient(7, ExactSum.VALUE_ORIGIN));
    ExactSum tiny = new ExactSum();
    tiny.addDouble(Double.MIN_VALUE);
    assertEquals(0.0, tiny.quotient(2, ExactSum.VALUE_ORIGIN)); // half the smallest subnormal: even
    tiny.addDouble(Double.MIN_VALUE * 2);
    assertEquals(Double.MIN_VALUE * 2, tiny.quotient(2, ExactSum.VALUE_ORIGIN)); // 1.5: to even
    ExactSum huge = new ExactSum();
    huge.addDouble(Double.MAX_VALUE);
    huge.addDouble(Double.MAX_VALUE);
    assertEquals(Double.POSITIVE_INFINITY, huge.quotient(1, ExactSum.VALUE_ORIGIN));
    assertEquals(Double.MAX_VALUE, huge.quotient(2, ExactSum.VALUE_ORIGIN));

    Random r = new Random(11);
    long[] edges = {1, 2, 3, 10, 1000, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 1L << 31, Long.MAX_VALUE};
    for (int trial = 0; trial < 600; trial++) {
      ExactSum values = new ExactSum();
      ExactSum squares = new ExactSum();
      int n = 1 + r.nextInt(trial % 10 == 0 ? 500 : 40);
      for (int i = 0; i < n; i++) {
        if (r.nextInt(4) > 0) {
          double x = AccumulatorTesting.randomDouble(r, false);
          values.addDouble(x);
          squares.addSquareOfDouble(x);
        } else {
          long x = (Long) AccumulatorTesting.randomValue(io.featurepipe.transforms.model.ColumnType.INT64, r, false);
          values.addLong(x);
          squares.addSquareOfLong(x);
        }
      }
      long divisor = r.nextInt(3) == 0 ? edges[r.nextInt(edges.length)] : 1 + r.nextInt(r.nextBoolean() ? 100 : Integer.MAX_VALUE);
      assertQuotient(values, divisor, ExactSum.VALUE_ORIGIN);
      assertQuotient(squares, divisor, ExactSum.SQUARE_ORIGIN);
    }
  }

  private static ExactSum sumOfLongs(long... values) {
    ExactSum s = new ExactSum();
    for (long v : values) {
      s.addLong(v);
    }
    return s;
  }

  private static void assertQuotient(ExactSum s, long divisor, int origin) {
    double actual = s.quotient(divisor, origin);
    double expected = s.isZero() ? 0.0 : reference(s.mantissa(), BigInteger.valueOf(divisor), s.exponent() - origin);
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
        s.mantissa() + " * 2^" + (s.exponent() - origin) + " / " + divisor + ": " + expected + " vs " + actual);
  }
}
