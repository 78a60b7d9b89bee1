package io.featurepipe.validation.report;

import io.featurepipe.validation.columns.DatasetKind;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * One dataset in the report.
 *
 * @param name the source or group
 * @param kind which of its datasets
 * @param current this run's statistics
 * @param baseline the baseline's statistics (drawn beside the current ones), or null
 * @param anomalies the anomalies found, or null when not validated
 */
public record ReportSection(
    String name, DatasetKind kind, DatasetFeatureStatistics current, DatasetFeatureStatistics baseline, Anomalies anomalies) {

  public String label() {
    return name + "/" + kind.folder();
  }
}
