package io.featurepipe.validation.anomalies;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.metadata.v0.Histogram;

class DistributionDistanceTest {

  @Test
  void lInfinityNormalisesEachSideAndNamesTheLabel() {
    DistributionDistance.Result r =
        DistributionDistance.lInfinity(Map.of("a", 50.0, "b", 50.0), Map.of("a", 10.0, "b", 20.0, "c", 70.0));
    assertEquals(0.7, r.value(), 1e-12); // c: 0 vs 0.7
    assertEquals("c", r.label());
    assertEquals(0.0, DistributionDistance.lInfinity(Map.of("a", 1.0), Map.of("a", 7.0)).value());
  }

  @Test
  void normalizedAbsoluteDifferenceUsesTheCombinedTotal() {
    DistributionDistance.Result r =
        DistributionDistance.normalizedAbsoluteDifference(Map.of("a", 30.0, "b", 10.0), Map.of("a", 10.0, "b", 10.0));
    assertEquals(20.0 / 60.0, r.value(), 1e-12);
  }

  @Test
  void jensenShannonOfCategoriesIsInBitsAndCapped() {
    assertEquals(1.0, DistributionDistance.jensenShannon(Map.of("a", 5.0), Map.of("b", 9.0)), 1e-12);
    assertEquals(0.0, DistributionDistance.jensenShannon(Map.of("a", 1.0, "b", 3.0), Map.of("a", 2.0, "b", 6.0)), 1e-12);
    // P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4); JSD = 1/2 (1/2 log2(2/3) + 1/2 log2 2) + 1/2 log2(4/3)
    double expected = 0.5 * (0.5 * log2(0.5 / 0.75) + 0.5 * log2(0.5 / 0.25)) + 0.5 * log2(1 / 0.75);
    assertEquals(expected, DistributionDistance.jensenShannon(Map.of("a", 1.0, "b", 1.0), Map.of("a", 4.0)), 1e-12);
  }

  @Test
  void jensenShannonOfHistogramsRebucketsOnTheUnionOfBoundaries() {
    Histogram p = histogram(new double[] {0, 10}, new double[] {10});
    Histogram q = histogram(new double[] {0, 5, 10}, new double[] {5, 5});
    assertEquals(0.0, DistributionDistance.jensenShannon(p, q), 1e-12); // uniform on [0, 10] both
    Histogram r = histogram(new double[] {0, 5, 10}, new double[] {10, 0});
    // p re-bucketed: (1/2, 1/2), r: (1, 0)
    double expected = DistributionDistance.jensenShannon(new double[] {5, 5}, new double[] {10, 0});
    assertEquals(expected, DistributionDistance.jensenShannon(p, r), 1e-12);
    // disjoint supports diverge completely; NaN counts never match
    assertEquals(1.0, DistributionDistance.jensenShannon(p, histogram(new double[] {20, 30}, new double[] {4})), 1e-12);
    Histogram withNan = p.toBuilder().setNumNan(10).build();
    assertEquals(DistributionDistance.jensenShannon(new double[] {10, 0, 0}, new double[] {10, 10, 0}) > 0, true);
    assertEquals(DistributionDistance.jensenShannon(new double[] {10, 10, 0}, new double[] {10, 0, 10}),
        DistributionDistance.jensenShannon(withNan, withNan), 1e-12);
  }

  private static Histogram histogram(double[] bounds, double[] counts) {
    Histogram.Builder h = Histogram.newBuilder();
    for (int i = 0; i < counts.length; i++) {
      h.addBuckets(Histogram.Bucket.newBuilder().setLowValue(bounds[i]).setHighValue(bounds[i + 1]).setSampleCount(counts[i]));
    }
    return h.build();
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
