package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sketch's bucket index, read from per-binade boundaries, is exactly the index {@code
 * StrictMath.log} defines, for every kind of finite magnitude: the statistics' bytes depend on it.
 */
class LogBucketSketchTest {

  @Test
  void theBucketIndexIsTheStrictOneForRandomMagnitudesOfEveryBinade() {
    Random random = new Random(20261203);
    for (int n = 0; n < 300_000; n++) {
      // any positive finite double: random bits, the sign and the all-ones exponent cleared
      long bits = random.nextLong() & 0x7fff_ffff_ffff_ffffL;
      if ((bits >>> 52) == 0x7ff) {
        bits &= ~(1L << 62);
      }
      double x = Double.longBitsToDouble(bits);
      if (x > 0) {
        assertSame(x);
      }
    }
    for (double x = 1e-6; x < 1e6; x *= 1.0007) { // the magnitudes of ordinary features, densely
      assertSame(x);
    }
    for (double x : new double[] {Double.MIN_VALUE, Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL),
        Math.nextUp(Double.MIN_NORMAL), Double.MAX_VALUE, 1.0, Math.nextDown(1.0), Math.nextUp(1.0),
        LogBucketSketch.GAMMA, 0.01, 0.5, 2.0, 100.0, 18.99}) {
      assertSame(x);
    }
  }

  /**
   * Every boundary of every binade (the smallest double of each bucket, by bisection on the strict
   * index) is a transition of the strict index, and the index agrees with it on the 64 doubles either
   * side.
   */
  @Test
  void theBucketIndexIsTheStrictOneAroundEveryBoundaryOfEveryBinade() {
    for (int exponent = 1; exponent <= 2046; exponent++) {
      long lo = (long) exponent << 52;
      long hi = lo | ((1L << 52) - 1);
      int first = LogBucketSketch.strictIndex(Double.longBitsToDouble(lo));
      int last = LogBucketSketch.strictIndex(Double.longBitsToDouble(hi));
      assertSame(Double.longBitsToDouble(lo));
      assertSame(Double.longBitsToDouble(hi));
      for (int i = first + 1; i <= last; i++) {
        long bound = lo;
        long top = hi;
        while (bound < top) { // the smallest double of the binade with index >= i
          long mid = bound + (top - bound) / 2;
          if (LogBucketSketch.strictIndex(Double.longBitsToDouble(mid)) >= i) {
            top = mid;
          } else {
            bound = mid + 1;
          }
        }
        assertEquals(i, LogBucketSketch.strictIndex(Double.longBitsToDouble(bound)));
        assertEquals(i - 1, LogBucketSketch.strictIndex(Double.longBitsToDouble(bound - 1)));
        for (long d = -64; d <= 64; d++) {
          if (bound + d >= lo && bound + d <= hi) {
            assertSame(Double.longBitsToDouble(bound + d));
          }
        }
      }
    }
  }

  private static void assertSame(double x) {
    assertEquals(LogBucketSketch.strictIndex(x), LogBucketSketch.index(x), () -> "index of " + x);
  }
}
