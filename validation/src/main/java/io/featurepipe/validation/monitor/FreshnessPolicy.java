package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.model.FeatureGroupDef;
import java.io.Serializable;
import java.time.Duration;

/**
 * How far a group's online watermark may fall behind now: a WARNING alert beyond {@code warnAfter},
 * an ERROR beyond {@code errorAfter}.
 */
public record FreshnessPolicy(Duration warnAfter, Duration errorAfter) implements Serializable {

  public FreshnessPolicy {
    if (warnAfter == null || errorAfter == null || warnAfter.isNegative() || errorAfter.compareTo(warnAfter) < 0) {
      throw new IllegalArgumentException(
          "freshness thresholds must satisfy 0 <= warnAfter <= errorAfter, got " + warnAfter + " and " + errorAfter);
    }
  }

  /**
   * A group's defaults. Its watermark normally trails now by up to a hop plus the availability
   * delay (DESIGN §3), so: warn beyond two hops plus the delay, error beyond four.
   */
  public static FreshnessPolicy forGroup(FeatureGroupDef group) {
    Duration hop = group.hop();
    Duration delay = group.availabilityDelay() == null ? Duration.ZERO : group.availabilityDelay();
    return new FreshnessPolicy(hop.multipliedBy(2).plus(delay), hop.multipliedBy(4).plus(delay));
  }
}
