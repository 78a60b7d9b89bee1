package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code sum} over a {@code double} column: the exact sum of all non-null values, rounded once to the
 * nearest double (ties to even) when the result is read, so it does not depend on the order of adds
 * and merges. Finite values are summed in an {@link ExactSum} (no rounding, no intermediate
 * overflow: {@code 1e308 + 1e308 - 1e308 + 1.0 - 1e308} is exactly {@code 1.0}).
 *
 * <p>Special values, as IEEE 754 addition would give them in any order:
 *
 * <ul>
 *   <li>no non-null value: {@code 0.0};
 *   <li>any NaN, or both +Infinity and -Infinity: NaN;
 *   <li>otherwise any +Infinity: +Infinity; any -Infinity: -Infinity;
 *   <li>an exact sum beyond the double range: ±Infinity (by rounding);
 *   <li>an exact sum of zero: {@code -0.0} if every value was {@code -0.0}, else {@code 0.0}.
 * </ul>
 */
final class DoubleSumAccumulator extends BaseAccumulator {
  static final int TAG = 3;

  private final ExactSum sum;
  private final SpecialValues special;

  DoubleSumAccumulator() {
    this(new ExactSum(), new SpecialValues());
  }

  private DoubleSumAccumulator(ExactSum sum, SpecialValues special) {
    this.sum = sum;
    this.special = special;
  }

  @Override
  public void add(Object value, long eventTimeNanos) {
    if (value == null) {
      return;
    }
    if (!(value instanceof Double d)) {
      throw Values.wrongType(ColumnType.DOUBLE, value);
    }
    double x = d;
    if (special.add(x)) {
      sum.addDouble(x);
    }
  }

  @Override
  public void mergeFrom(Accumulator other) {
    DoubleSumAccumulator o = sameKind(other, DoubleSumAccumulator.class);
    if (o == this) {
      o = o.copy();
    }
    sum.mergeFrom(o.sum);
    special.mergeFrom(o.special);
  }

  @Override
  public Object result() {
    if (special.count() == 0) {
      return 0.0;
    }
    Double s = special.specialResult();
    if (s != null) {
      return s;
    }
    if (sum.isZero()) {
      return special.allNegativeZero() ? -0.0 : 0.0;
    }
    return sum.quotient(1, ExactSum.VALUE_ORIGIN);
  }

  @Override
  public DoubleSumAccumulator copy() {
    return new DoubleSumAccumulator(sum.copy(), special.copy());
  }

  @Override
  int tag() {
    return TAG;
  }

  @Override
  void write(DataOutput out) throws IOException {
    special.write(out);
    sum.write(out);
  }

  static DoubleSumAccumulator read(DataInput in) throws IOException {
    SpecialValues special = SpecialValues.read(in);
    return new DoubleSumAccumulator(ExactSum.read(in), special);
  }

  /**
   * The count of non-null values and what IEEE special values were seen, shared by the sum and
   * the moments of doubles.
   */
  static final class SpecialValues {
    private static final int NAN = 1;
    private static final int POSITIVE_INFINITY = 2;
    private static final int NEGATIVE_INFINITY = 4;
    private static final int NOT_NEGATIVE_ZERO = 8; // some value other than -0.0 was added

    private long count;
    private int flags;

    /** Records a non-null value; true when it is finite (and must be added to the exact sums). */
    boolean add(double x) {
      count++;
      if (x - x == 0) { // finite
        if (x != 0 || Double.doubleToRawLongBits(x) == 0) {
          flags |= NOT_NEGATIVE_ZERO;
        }
        return true;
      }
      flags |= NOT_NEGATIVE_ZERO | (x != x ? NAN : x > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY);
      return false;
    }

    /** Records a non-null value that is a finite number other than -0.0 (an int or a bool). */
    void addOrdinary() {
      count++;
      flags |= NOT_NEGATIVE_ZERO;
    }

    void mergeFrom(SpecialValues other) {
      count += other.count;
      flags |= other.flags;
    }

    long count() {
      return count;
    }

    boolean anySpecial() {
      return (flags & (NAN | POSITIVE_INFINITY | NEGATIVE_INFINITY)) != 0;
    }

    boolean allNegativeZero() {
      return (flags & NOT_NEGATIVE_ZERO) == 0;
    }

    /** NaN, ±Infinity as a sum (or mean) of the values is, or null when every value was finite. */
    Double specialResult() {
      if ((flags & NAN) != 0
          || (flags & (POSITIVE_INFINITY | NEGATIVE_INFINITY))
              == (POSITIVE_INFINITY | NEGATIVE_INFINITY)) {
        return Double.NaN;
      }
      if ((flags & POSITIVE_INFINITY) != 0) {
        return Double.POSITIVE_INFINITY;
      }
      if ((flags & NEGATIVE_INFINITY) != 0) {
        return Double.NEGATIVE_INFINITY;
      }
      return null;
    }

    SpecialValues copy() {
      SpecialValues c = new SpecialValues();
      c.count = count;
      c.flags = flags;
      return c;
    }

    void write(DataOutput out) throws IOException {
      ValueCodec.writeVarLong(count, out);
      out.writeByte(flags);
    }

    static SpecialValues read(DataInput in) throws IOException {
      SpecialValues s = new SpecialValues();
      s.count = ValueCodec.readVarLong(in);
      s.flags = in.readByte();
      if ((s.flags & ~15) != 0) {
        throw new IOException("corrupt accumulator: flags " + s.flags);
      }
      return s;
    }
  }
}
