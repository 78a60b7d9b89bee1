package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.aggregate.DoubleSumAccumulator.SpecialValues;
import io.featurepipe.transforms.model.ColumnType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * {@code mean}, {@code variance} and {@code stddev} over an {@code int}, {@code double} or {@code
 * bool} column ({@code true} = 1, {@code false} = 0), from exact moments: the count n of non-null
 * values, the exact sum of x and the exact sum of x² (each square is formed exactly as an integer
 * mantissa product, so no rounding and no overflow happen before the result is read). Results are
 * {@link Double}s, independent of the order of adds and merges:
 *
 * <ul>
 *   <li>mean = Σx / n, rounded once (ties to even); null when n = 0.
 *   <li>variance = the <b>sample</b> variance (n·Σx² − (Σx)²) / (n·(n − 1)), computed exactly as a
 *       rational number and rounded once; null when n &lt; 2. A variance beyond the double range
 *       is +Infinity.
 *   <li>stddev = {@link Math#sqrt} of that variance (so it is +Infinity when the variance overflows,
 *       i.e. for values around 1e154 and beyond); null when n &lt; 2.
 * </ul>
 *
 * <p>Special values (doubles): the mean follows IEEE addition: any NaN, or both +Infinity and
 * -Infinity, give NaN, otherwise an infinity gives that infinity; a mean of only {@code -0.0}
 * values is {@code -0.0}. The variance and stddev are NaN when any value is NaN or infinite (as
 * {@code x - mean} is then NaN for some x) — provided n &gt;= 2, else null.
 */
final class MomentsAccumulator extends BaseAccumulator {

  /** Which moment-based statistic the result is. */
  enum Statistic {
    MEAN(4),
    VARIANCE(5),
    STDDEV(6);

    final int tag;

    Statistic(int tag) {
      this.tag = tag;
    }
  }

  private final Statistic statistic;
  private final ColumnType type;
  private final ExactSum sum;
  private final ExactSum sumOfSquares;
  private final SpecialValues special;

  MomentsAccumulator(Statistic statistic, ColumnType type) {
    this(statistic, type, new ExactSum(), new ExactSum(), new SpecialValues());
  }

  private MomentsAccumulator(
      Statistic statistic,
      ColumnType type,
      ExactSum sum,
      ExactSum sumOfSquares,
      SpecialValues special) {
    if (!type.isNumeric()) {
      throw new IllegalArgumentException(statistic + " over " + type);
    }
    this.statistic = statistic;
    this.type = type;
    this.sum = sum;
    this.sumOfSquares = sumOfSquares;
    this.special = special;
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value == null) {
      return;
    }
    if (value instanceof Double d && type == ColumnType.DOUBLE) {
      double x = d;
      if (special.add(x) && x != 0) {
        sum.addDouble(x);
        if (statistic != Statistic.MEAN) {
          sumOfSquares.addSquareOfDouble(x);
        }
      }
    } else if (value instanceof Long l && type == ColumnType.INT64) {
      long x = l;
      special.addOrdinary();
      sum.addLong(x);
      if (statistic != Statistic.MEAN) {
        sumOfSquares.addSquareOfLong(x);
      }
    } else if (value instanceof Boolean b && type == ColumnType.BOOL) {
      special.addOrdinary();
      if (b) {
        sum.addLong(1);
        if (statistic != Statistic.MEAN) {
          sumOfSquares.addSquareOfLong(1);
        }
      }
    } else {
      throw Values.wrongType(type, value);
    }
  }

  @Override
  public void mergeFrom(Accumulator other) {
    MomentsAccumulator o = sameKind(other, MomentsAccumulator.class);
    if (o.statistic != statistic) {
      throw new IllegalArgumentException("cannot merge " + o.statistic + " into " + statistic);
    }
    Values.requireSameType(type, o.type);
    if (o == this) {
      o = o.copy();
    }
    sum.mergeFrom(o.sum);
    sumOfSquares.mergeFrom(o.sumOfSquares);
    special.mergeFrom(o.special);
  }

  @Override
  public Object result() {
    long n = special.count();
    if (statistic == Statistic.MEAN) {
      if (n == 0) {
        return null;
      }
      Double s = special.specialResult();
      if (s != null) {
        return s;
      }
      if (sum.isZero()) {
        return special.allNegativeZero() ? -0.0 : 0.0;
      }
      return sum.quotient(n, ExactSum.VALUE_ORIGIN);
    }
    if (n < 2) {
      return null;
    }
    if (special.anySpecial()) {
      return Double.NaN;
    }
    double variance = variance(n);
    return statistic == Statistic.VARIANCE ? variance : Math.sqrt(variance);
  }

  /** (n·Σx² − (Σx)²) / (n·(n − 1)), exactly, rounded once. */
  private double variance(long n) {
    BigInteger s2 = sumOfSquares.mantissa();
    if (s2.signum() == 0) {
      return 0.0; // every value is zero
    }
    int e2 = sumOfSquares.exponent() - ExactSum.SQUARE_ORIGIN; // Σx² = s2 · 2^e2
    BigInteger bn = BigInteger.valueOf(n);
    BigInteger numerator = bn.multiply(s2); // n·Σx², as a multiple of 2^e
    int e = e2;
    BigInteger s1 = sum.mantissa();
    if (s1.signum() != 0) {
      int e1 = sum.exponent() - ExactSum.VALUE_ORIGIN; // Σx = s1 · 2^e1
      e = Math.min(e2, 2 * e1);
      numerator = numerator.shiftLeft(e2 - e).subtract(s1.multiply(s1).shiftLeft(2 * e1 - e));
    }
    if (numerator.signum() <= 0) {
      return 0.0; // all values equal (the exact numerator is never negative)
    }
    return ExactRounding.toDouble(numerator, bn.multiply(BigInteger.valueOf(n - 1)), e);
  }

  /** A mean accumulator of the same values: the sum and special values copied, no squares. */
  MomentsAccumulator mean() {
    return new MomentsAccumulator(Statistic.MEAN, type, sum.copy(), new ExactSum(), special.copy());
  }

  @Override
  public MomentsAccumulator copy() {
    return new MomentsAccumulator(
        statistic, type, sum.copy(), sumOfSquares.copy(), special.copy());
  }

  @Override
  int tag() {
    return statistic.tag;
  }

  @Override
  void write(DataOutput out) throws IOException {
    Values.writeType(type, out);
    special.write(out);
    sum.write(out);
    sumOfSquares.write(out);
  }

  static MomentsAccumulator read(Statistic statistic, DataInput in) throws IOException {
    ColumnType type = Values.readType(in);
    if (!type.isNumeric()) {
      throw new IOException("corrupt accumulator: " + statistic + " over " + type);
    }
    SpecialValues special = SpecialValues.read(in);
    ExactSum sum = ExactSum.read(in);
    ExactSum squares = ExactSum.read(in);
    return new MomentsAccumulator(statistic, type, sum, squares, special);
  }
}
