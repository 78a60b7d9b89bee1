package io.featurepipe.transforms.aggregate;

import com.datadoghq.sketch.ddsketch.Serializer;
import com.datadoghq.sketch.ddsketch.encoding.Output;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;

/**
 * The DDSketch index mapping of {@link QuantileAccumulator}: the library's cubically interpolated
 * logarithm (index = floor(multiplier · (e + A·s³ + B·s² + C·s)) for a value 2^e·(1 + s), with the
 * library's coefficients), but computed so that every JVM on every platform gets the same indices
 * and values bit for bit: the multiplier uses {@link StrictMath}, the index only exact bit
 * manipulation and IEEE arithmetic, and the inverse a bisection. (The library's mappings compute
 * their constants with {@link Math#log} and {@link Math#pow}, whose last bit may differ between
 * platforms and JIT intrinsics, which could move values on bucket boundaries and break the
 * bit-identical results DESIGN §2 demands.) It also maps subnormals exactly and the whole finite
 * double range (the value of the top bucket is capped at {@link Double#MAX_VALUE}).
 *
 * <p>Relative accuracy α: every value x of a bucket is within α·x of {@link #value} of its index.
 * (With γ = (1 + α)/(1 − α), a bucket spans at most a factor γ because the derivative of the
 * interpolated log2 with respect to ln(x) is at least C = 10/7, and the multiplier is 7 / (10 ln γ).)
 *
 * <p>The library's encodings of mappings are not used (we encode sketches ourselves), so {@link
 * #encode}, {@link #serialize} and {@link #serializedSize} are unsupported.
 */
final class QuantileMapping implements IndexMapping {
  private static final double A = 6.0 / 35.0;
  private static final double B = -3.0 / 5.0;
  private static final double C = 10.0 / 7.0;
  private static final long MANTISSA = 0x000F_FFFF_FFFF_FFFFL;
  private static final long ONE = 0x3FF0_0000_0000_0000L;

  /** The 1% mapping every quantile sketch uses. */
  static final QuantileMapping ONE_PERCENT = new QuantileMapping(0.01);

  private final double relativeAccuracy;
  private final double multiplier;

  QuantileMapping(double relativeAccuracy) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new IllegalArgumentException("relative accuracy must be in (0, 1): " + relativeAccuracy);
    }
    this.relativeAccuracy = relativeAccuracy;
    double gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.multiplier = 7.0 / (10.0 * StrictMath.log(gamma));
  }

  /** The index of a positive finite value (DDSketch passes |x|). */
  @Override
  public int index(double value) {
    long bits = Double.doubleToRawLongBits(value);
    int exponent = (int) (bits >>> 52) & 0x7FF;
    long mantissa = bits & MANTISSA;
    if (exponent == 0) { // subnormal: normalise exactly
      int shift = Long.numberOfLeadingZeros(mantissa) - 11;
      mantissa = (mantissa << shift) & MANTISSA;
      exponent = 1 - shift;
    }
    double s = Double.longBitsToDouble(ONE | mantissa) - 1.0; // exact, in [0, 1)
    double log2 = ((A * s + B) * s + C) * s + (exponent - 1023);
    return (int) Math.floor(log2 * multiplier);
  }

  /** A representative of the bucket: its lower bound times (1 + α), at most MAX_VALUE. */
  @Override
  public double value(int index) {
    return Math.min(lowerBound(index) * (1 + relativeAccuracy), Double.MAX_VALUE);
  }

  @Override
  public double lowerBound(int index) {
    double t = index / multiplier;
    double e = Math.floor(t);
    double r = t - e; // solve A s³ + B s² + C s = r for s in [0, 1): increasing, so bisect
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < 60; i++) {
      double mid = 0.5 * (lo + hi);
      if (((A * mid + B) * mid + C) * mid < r) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.scalb(1 + hi, (int) e);
  }

  @Override
  public double upperBound(int index) {
    return lowerBound(index + 1);
  }

  @Override
  public double relativeAccuracy() {
    return relativeAccuracy;
  }

  /** Every positive double is indexed (none is counted as zero by the sketch). */
  @Override
  public double minIndexableValue() {
    return 0.0;
  }

  @Override
  public double maxIndexableValue() {
    return Double.MAX_VALUE;
  }

  @Override
  public void encode(Output output) {
    throw new UnsupportedOperationException("QuantileAccumulator encodes its own state");
  }

  @Override
  public int serializedSize() {
    throw new UnsupportedOperationException("QuantileAccumulator encodes its own state");
  }

  @Override
  public void serialize(Serializer serializer) {
    throw new UnsupportedOperationException("QuantileAccumulator encodes its own state");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantileMapping m
        && Double.doubleToLongBits(m.relativeAccuracy) == Double.doubleToLongBits(relativeAccuracy);
  }

  @Override
  public int hashCode() {
    return Double.hashCode(relativeAccuracy);
  }
}
