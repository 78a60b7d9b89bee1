package io.featurepipe.validation.gate;

import io.featurepipe.validation.anomalies.AnomalyReasons;

/**
 * One anomaly reason the gate weighed.
 *
 * @param dataset the dataset it was found in, e.g. {@code user_spend/input}
 * @param feature the feature, or empty for dataset-level anomalies
 * @param type the anomaly type, e.g. {@code FEATURE_TYPE_LOW_FRACTION_PRESENT}
 * @param what the short description
 * @param measured the measured value, or null
 * @param threshold the threshold, or null
 */
public record GateIssue(
    String dataset, String feature, String type, String what, Double measured, Double threshold) {

  /** {@code user_spend/input / amount: FEATURE_TYPE_LOW_FRACTION_PRESENT (Column dropped), measured 0.95, threshold 0.99}. */
  @Override
  public String toString() {
    return dataset
        + (feature.isEmpty() ? "" : " / " + feature)
        + ": " + type + " (" + what + ")"
        + ", measured " + (measured == null ? "n/a" : AnomalyReasons.format(measured))
        + ", threshold " + (threshold == null ? "n/a" : AnomalyReasons.format(threshold));
  }
}
