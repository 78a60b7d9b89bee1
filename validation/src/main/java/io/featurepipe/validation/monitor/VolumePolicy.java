package io.featurepipe.validation.monitor;

import java.io.Serializable;

/**
 * How far a window's (or day's) count may stray from its history: the ratio count / median(history)
 * warns outside [{@code warnBelow}, {@code warnAbove}] and errors outside [{@code errorBelow},
 * {@code errorAbove}]; with fewer than {@code minHistory} past windows there is no verdict.
 */
public record VolumePolicy(
    double errorBelow, double warnBelow, double warnAbove, double errorAbove, int minHistory)
    implements Serializable {

  public VolumePolicy {
    if (!(0 <= errorBelow && errorBelow <= warnBelow && warnBelow <= 1
        && 1 <= warnAbove && warnAbove <= errorAbove) || minHistory < 1) {
      throw new IllegalArgumentException(
          "volume thresholds must satisfy 0 <= errorBelow <= warnBelow <= 1 <= warnAbove <= errorAbove and minHistory >= 1, got "
              + errorBelow + ", " + warnBelow + ", " + warnAbove + ", " + errorAbove + ", " + minHistory);
    }
  }

  /** Warn below half or above twice the median, error below a fifth or above five times; three past windows. */
  public static VolumePolicy defaults() {
    return new VolumePolicy(0.2, 0.5, 2.0, 5.0, 3);
  }
}
