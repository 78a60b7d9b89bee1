package io.featurepipe.validation.alert;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.anomalies.AnomalyReasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;

/**
 * Turns anomalies into alerts: one per anomaly reason, naming the group, the feature, the anomaly
 * type as the check, the measured value and the threshold (when the reason has them), the window
 * and the severity (WARNING or ERROR; an unknown severity counts as ERROR), with the policy
 * applied.
 */
public final class AnomalyAlerts {
  private AnomalyAlerts() {}

  /**
   * @param group the group (or source) the anomalies are about
   * @param dataset the dataset's label for messages, e.g. {@code user_spend/input}
   */
  public static List<Alert> of(
      String group, String dataset, Anomalies anomalies, long windowStartMillis, long windowEndMillis, AlertPolicy policy) {
    List<Alert> out = new ArrayList<>();
    for (Map.Entry<String, AnomalyInfo> e : new TreeMap<>(anomalies.getAnomalyInfoMap()).entrySet()) {
      add(out, group, dataset, e.getKey(), e.getValue(), windowStartMillis, windowEndMillis, policy);
    }
    if (anomalies.hasDatasetAnomalyInfo()) {
      add(out, group, dataset, "", anomalies.getDatasetAnomalyInfo(), windowStartMillis, windowEndMillis, policy);
    }
    return out;
  }

  private static void add(
      List<Alert> out, String group, String dataset, String feature, AnomalyInfo info,
      long start, long end, AlertPolicy policy) {
    Alert.Severity severity =
        info.getSeverity() == AnomalyInfo.Severity.WARNING ? Alert.Severity.WARNING : Alert.Severity.ERROR;
    for (AnomalyInfo.Reason r : info.getReasonList()) {
      Alert a = policy.apply(new Alert(group, feature, r.getType().name(), AnomalyReasons.measured(r),
          AnomalyReasons.threshold(r), start, end, severity,
          dataset + (feature.isEmpty() ? "" : " / " + feature) + ": " + r.getShortDescription() + ". " + r.getDescription()));
      if (a != null) {
        out.add(a);
      }
    }
  }
}
