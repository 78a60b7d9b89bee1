package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.record.ValueCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * An exact, order-independent sum of integers placed at arbitrary binary positions: a sparse
 * "superaccumulator". Every finite double is an integer mantissa times a power of two, and so is
 * the square of a double or of a long, so sums of them are held here without any rounding and
 * without intermediate overflow; the caller rounds once at the end ({@link ExactRounding}).
 *
 * <p>The value is {@code sum(limbs[i] * 2^(32 * (base + i)))}. Only the range of limbs that values
 * have touched is allocated (a few limbs for data of a narrow magnitude range, at most about 130
 * for the squares of doubles over their whole range). Limbs are 32-bit digits kept in longs, so an
 * add only adds into at most five limbs, without carry propagation; carries are propagated ("the
 * sum is normalised") every 2^30 adds, before merges and before reading. The normalised form (all
 * limbs in [0, 2^32) but the top one, which is signed 32-bit) is the two's-complement form of the
 * value, so the state and its encoding depend only on the value, never on the order of adds.
 *
 * <p>Adds allocate nothing, except when a value extends the range of touched limbs.
 */
final class ExactSum {
  /** Bit position of 2^0 for sums of doubles and longs: the least significant bit of a double is 2^-1074. */
  static final int VALUE_ORIGIN = 1074;
  /** Bit position of 2^0 for sums of squares: (2^-1074)^2 = 2^-2148. */
  static final int SQUARE_ORIGIN = 2 * VALUE_ORIGIN;

  private static final long MASK = 0xFFFF_FFFFL;
  private static final int NORMALIZE_EVERY = 1 << 30;
  private static final int SLACK = 2;
  /** Zero digits below a quotient's dividend: 3 * 32 - 31 = 65 quotient bits at least. */
  private static final int PAD = 3;

  private long[] limbs; // null while nothing non-zero was ever added
  private int base;
  private int pending; // adds since the last normalisation; 0: normalised

  ExactSum() {}

  private ExactSum(long[] limbs, int base, int pending) {
    this.limbs = limbs;
    this.base = base;
    this.pending = pending;
  }

  ExactSum copy() {
    return new ExactSum(limbs == null ? null : limbs.clone(), base, pending);
  }

  /** Adds a finite double. */
  void addDouble(double x) {
    long bits = Double.doubleToRawLongBits(x);
    int exponent = (int) (bits >>> 52) & 0x7FF;
    long mantissa = bits & 0x000F_FFFF_FFFF_FFFFL;
    if (exponent == 0) {
      exponent = 1; // subnormal: same scale as the smallest normal, no implicit bit
    } else {
      mantissa |= 1L << 52;
    }
    // x = ±mantissa * 2^(exponent - 1075); 2^-1074 sits at bit 0
    add(0, mantissa, bits < 0, exponent - 1);
  }

  /** Adds the exact square of a finite double (relative to {@link #SQUARE_ORIGIN}). */
  void addSquareOfDouble(double x) {
    long bits = Double.doubleToRawLongBits(x);
    int exponent = (int) (bits >>> 52) & 0x7FF;
    long mantissa = bits & 0x000F_FFFF_FFFF_FFFFL;
    if (exponent == 0) {
      exponent = 1;
    } else {
      mantissa |= 1L << 52;
    }
    // x^2 = mantissa^2 * 2^(2 * (exponent - 1075)); 2^-2148 sits at bit 0
    add(Math.multiplyHigh(mantissa, mantissa), mantissa * mantissa, false, 2 * (exponent - 1));
  }

  /** Adds a long (relative to {@link #VALUE_ORIGIN}). */
  void addLong(long v) {
    long magnitude = v < 0 ? -v : v; // Long.MIN_VALUE stays 2^63 as an unsigned number
    add(0, magnitude, v < 0, VALUE_ORIGIN);
  }

  /** Adds the exact square of a long (relative to {@link #SQUARE_ORIGIN}). */
  void addSquareOfLong(long v) {
    long m = v < 0 ? -v : v;
    add(unsignedMultiplyHigh(m, m), m * m, false, SQUARE_ORIGIN);
  }

  static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /** Adds ±(hi * 2^64 + lo) * 2^bitPos, with hi and lo unsigned. */
  void add(long hi, long lo, boolean negative, int bitPos) {
    if ((hi | lo) == 0) {
      return;
    }
    int limb = bitPos >>> 5;
    int shift = bitPos & 31;
    long w0 = lo << shift;
    long w1;
    long w2;
    if (shift == 0) {
      w1 = hi;
      w2 = 0;
    } else {
      w1 = (hi << shift) | (lo >>> (64 - shift));
      w2 = hi >>> (64 - shift);
    }
    long c0 = w0 & MASK;
    long c1 = w0 >>> 32;
    long c2 = w1 & MASK;
    long c3 = w1 >>> 32;
    long c4 = w2;
    int first = c0 != 0 ? 0 : c1 != 0 ? 1 : c2 != 0 ? 2 : c3 != 0 ? 3 : 4;
    int last = c4 != 0 ? 4 : c3 != 0 ? 3 : c2 != 0 ? 2 : c1 != 0 ? 1 : 0;
    ensure(limb + first, limb + last);
    long[] l = limbs;
    int o = limb - base;
    if (negative) {
      c0 = -c0;
      c1 = -c1;
      c2 = -c2;
      c3 = -c3;
      c4 = -c4;
    }
    if (c0 != 0) {
      l[o] += c0;
    }
    if (c1 != 0) {
      l[o + 1] += c1;
    }
    if (c2 != 0) {
      l[o + 2] += c2;
    }
    if (c3 != 0) {
      l[o + 3] += c3;
    }
    if (c4 != 0) {
      l[o + 4] += c4;
    }
    if (++pending >= NORMALIZE_EVERY) {
      normalize();
    }
  }

  /** Adds {@code other}'s value; {@code other} is not modified. */
  void mergeFrom(ExactSum other) {
    if (other.limbs == null) {
      return;
    }
    // Normalised limbs are below 2^32 and other's limbs below 2^62 + 2^32 in magnitude: no overflow.
    normalize();
    long[] theirs = other.limbs;
    ensure(other.base, other.base + theirs.length - 1);
    int o = other.base - base;
    for (int i = 0; i < theirs.length; i++) {
      limbs[o + i] += theirs[i];
    }
    propagateCarries();
  }

  /** Makes sure limbs {@code lo..hi} (absolute limb indices, inclusive) exist. */
  private void ensure(int lo, int hi) {
    if (limbs == null) {
      base = lo - SLACK / 2;
      limbs = new long[hi - lo + 1 + SLACK];
      return;
    }
    int top = base + limbs.length - 1;
    if (lo >= base && hi <= top) {
      return;
    }
    int newBase = lo < base ? lo - SLACK : base;
    int newTop = hi > top ? hi + SLACK : top;
    long[] grown = new long[newTop - newBase + 1];
    System.arraycopy(limbs, 0, grown, base - newBase, limbs.length);
    limbs = grown;
    base = newBase;
  }

  /**
   * Propagates carries: afterwards limbs[0..n-2] are in [0, 2^32) and the top limb is in [-2^31,
   * 2^31), the 32-bit two's-complement words of the value. Does not change the value.
   */
  void normalize() {
    if (pending != 0) {
      propagateCarries();
    }
  }

  /**
   * {@link #normalize()}, unconditionally. Every change to the limbs either counts an add in
   * {@code pending} or ends here, so {@code pending == 0} means the limbs are normalised: reading a
   * result (which normalises up to three times) pays for one pass at most.
   */
  private void propagateCarries() {
    pending = 0;
    if (limbs == null) {
      return;
    }
    long carry = 0;
    int n = limbs.length;
    for (int i = 0; i < n - 1; i++) {
      long v = limbs[i] + carry;
      limbs[i] = v & MASK;
      carry = v >> 32;
    }
    long top = limbs[n - 1] + carry;
    while (top < Integer.MIN_VALUE || top > Integer.MAX_VALUE) {
      limbs = Arrays.copyOf(limbs, limbs.length + 1);
      limbs[limbs.length - 2] = top & MASK;
      top >>= 32;
      n++;
    }
    limbs[n - 1] = top;
  }

  /** Whether the value is zero. */
  boolean isZero() {
    normalize();
    return firstLimb() > lastLimb();
  }

  // In normalised form: the canonical (shortest) range of limbs.
  private int firstLimb() {
    if (limbs == null) {
      return 0;
    }
    int i = 0;
    while (i < limbs.length && limbs[i] == 0) {
      i++;
    }
    return i; // == limbs.length when zero
  }

  private int lastLimb() {
    if (limbs == null) {
      return -1;
    }
    int i = limbs.length - 1;
    while (i > 0) {
      long top = (int) limbs[i]; // as a signed top word: a trimmed range's top is signed
      long next = limbs[i - 1];
      if ((top == 0 && next < 0x8000_0000L) || (top == -1 && next >= 0x8000_0000L)) {
        i--;
      } else {
        break;
      }
    }
    if (i == 0 && limbs[0] == 0) {
      return -1;
    }
    return i;
  }

  /**
   * The value divided by {@code divisor}, as a multiple of 2^-{@code origin}, rounded once to the
   * nearest double (ties to even): exactly {@link ExactRounding#toDouble(BigInteger, BigInteger,
   * int)} of {@link #mantissa()}, the divisor and {@link #exponent()} minus the origin. Reading a
   * result is on the hot path of window assembly (one per feature and window end), so divisors
   * below 2^31 (every count) divide the limbs themselves, with no {@link BigInteger}.
   *
   * @param divisor positive; 1 for the rounded value itself
   * @return 0.0 for a zero value (the caller decides the sign of a zero result)
   */
  double quotient(long divisor, int origin) {
    if (divisor <= 0) {
      throw new IllegalArgumentException("divisor must be positive: " + divisor);
    }
    normalize();
    int first = firstLimb();
    int last = lastLimb();
    if (first > last) {
      return 0.0;
    }
    if (divisor > Integer.MAX_VALUE) {
      return ExactRounding.toDouble(mantissa(), BigInteger.valueOf(divisor), exponent() - origin);
    }
    // The magnitude as 32-bit digits, least significant first, above PAD zero digits so that the
    // integer quotient keeps at least 64 significant bits whatever the divisor.
    int n = last - first + 1;
    long[] digits = new long[PAD + n];
    boolean negative = (int) limbs[last] < 0;
    long carry = 1;
    for (int i = 0; i < n; i++) {
      long w = limbs[first + i];
      if (negative) { // two's complement negation: invert, add one
        w = (~w & MASK) + carry;
        carry = w >>> 32;
        w &= MASK;
      }
      digits[PAD + i] = w;
    }
    long remainder = 0;
    if (divisor > 1) {
      for (int i = digits.length - 1; i >= 0; i--) {
        long current = (remainder << 32) | digits[i]; // remainder < 2^31: no overflow
        digits[i] = current / divisor;
        remainder = current % divisor;
      }
    }
    int top = digits.length - 1;
    while (digits[top] == 0) {
      top--;
    }
    // top >= 2: the quotient has at least 32 * PAD - 31 bits. Take its 62 highest bits.
    long high = digits[top];
    long low = (digits[top - 1] << 32) | digits[top - 2];
    int shift = 64 - Long.numberOfLeadingZeros(high) + 2; // in [3, 34]
    long q = (high << (64 - shift)) | (low >>> shift);
    boolean sticky = remainder != 0 || (low & ((1L << shift) - 1)) != 0;
    for (int i = top - 3; i >= 0 && !sticky; i--) {
      sticky = digits[i] != 0;
    }
    long e = 32L * (top - 2) + shift + 32L * (base + first - PAD) - origin;
    return ExactRounding.round(negative ? -1 : 1, q, sticky, e);
  }

  /** The value is {@code mantissa() * 2^(exponent())}, minus the origin the caller used. */
  BigInteger mantissa() {
    normalize();
    int first = firstLimb();
    int last = lastLimb();
    if (first > last) {
      return BigInteger.ZERO;
    }
    byte[] bytes = new byte[4 * (last - first + 1)];
    int p = 0;
    for (int i = last; i >= first; i--) {
      long w = limbs[i];
      bytes[p++] = (byte) (w >>> 24);
      bytes[p++] = (byte) (w >>> 16);
      bytes[p++] = (byte) (w >>> 8);
      bytes[p++] = (byte) w;
    }
    return new BigInteger(bytes);
  }

  /** The binary exponent of {@link #mantissa()}'s least significant bit (before the origin). */
  int exponent() {
    normalize();
    return 32 * (base + firstLimb());
  }

  /** Writes the canonical form: the number of limbs, then the lowest limb's index and the limbs. */
  void write(DataOutput out) throws IOException {
    normalize();
    int first = firstLimb();
    int last = lastLimb();
    if (first > last) {
      ValueCodec.writeVarLong(0, out);
      return;
    }
    ValueCodec.writeVarLong(last - first + 1, out);
    ValueCodec.writeVarLong(ValueCodec.zigzag(base + first), out);
    for (int i = first; i <= last; i++) {
      out.writeInt((int) limbs[i]);
    }
  }

  static ExactSum read(DataInput in) throws IOException {
    int n = Values.readCount(in, 1 << 12);
    if (n == 0) {
      return new ExactSum();
    }
    long base = ValueCodec.unzigzag(ValueCodec.readVarLong(in));
    if (base < 0 || base > 1 << 12) {
      throw new IOException("corrupt exact sum: limb index " + base);
    }
    long[] limbs = new long[n];
    for (int i = 0; i < n; i++) {
      int w = in.readInt();
      limbs[i] = i == n - 1 ? w : w & MASK;
    }
    return new ExactSum(limbs, (int) base, 0);
  }
}
