package io.featurepipe.validation.monitor;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.anomalies.AnomalyReasons;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Volume of a group or source: the count of a window (rows, records; a day in bounded runs)
 * against the counts of past windows (a baseline list). The check is {@code volume}; measured is
 * count / median(history), the threshold the crossed bound.
 */
public final class VolumeCheck {
  public static final String CHECK = "volume";

  private VolumeCheck() {}

  public static Optional<Alert> check(
      String group, long count, List<Long> history, long windowStartMillis, long windowEndMillis, VolumePolicy policy) {
    if (history.size() < policy.minHistory()) {
      return Optional.empty();
    }
    double median = median(history);
    if (median <= 0) {
      return Optional.empty();
    }
    double ratio = count / median;
    Alert.Severity severity = null;
    double threshold = 0;
    if (ratio < policy.errorBelow() || ratio > policy.errorAbove()) {
      severity = Alert.Severity.ERROR;
      threshold = ratio < 1 ? policy.errorBelow() : policy.errorAbove();
    } else if (ratio < policy.warnBelow() || ratio > policy.warnAbove()) {
      severity = Alert.Severity.WARNING;
      threshold = ratio < 1 ? policy.warnBelow() : policy.warnAbove();
    }
    if (severity == null) {
      return Optional.empty();
    }
    return Optional.of(new Alert(group, "", CHECK, ratio, threshold, windowStartMillis, windowEndMillis, severity,
        group + " counts " + count + " in the window, " + AnomalyReasons.format(ratio)
            + " times the median " + AnomalyReasons.format(median) + " of its " + history.size() + " counts before"));
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
