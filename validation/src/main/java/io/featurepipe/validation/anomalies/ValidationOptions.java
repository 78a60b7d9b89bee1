package io.featurepipe.validation.anomalies;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * What statistics are validated against besides the schema, and how severe each anomaly type is.
 * Immutable; {@code withX} returns a copy.
 *
 * <pre>{@code
 * ValidationOptions options = ValidationOptions.defaults()
 *     .withBaseline(previousRunStats)          // drift comparators
 *     .withServing(servingStats)               // skew comparators
 *     .withSeverity(AnomalyInfo.Type.SCHEMA_NEW_COLUMN, AnomalyInfo.Severity.WARNING);
 * }</pre>
 *
 * @param baseline the previous span or run (the drift control), or null
 * @param serving serving data (the skew control), or null
 * @param severities severity per anomaly type; types not listed are ERROR (TFDV's default)
 */
public record ValidationOptions(
    DatasetFeatureStatistics baseline,
    DatasetFeatureStatistics serving,
    Map<AnomalyInfo.Type, AnomalyInfo.Severity> severities)
    implements Serializable {

  public ValidationOptions {
    severities = Collections.unmodifiableMap(severities.isEmpty()
        ? new EnumMap<>(AnomalyInfo.Type.class) : new EnumMap<>(severities));
  }

  public static ValidationOptions defaults() {
    return new ValidationOptions(null, null, Map.of());
  }

  public ValidationOptions withBaseline(DatasetFeatureStatistics newBaseline) {
    return new ValidationOptions(newBaseline, serving, severities);
  }

  public ValidationOptions withServing(DatasetFeatureStatistics newServing) {
    return new ValidationOptions(baseline, newServing, severities);
  }

  public ValidationOptions withSeverity(AnomalyInfo.Type type, AnomalyInfo.Severity severity) {
    if (severity == AnomalyInfo.Severity.UNKNOWN) {
      throw new IllegalArgumentException("severity of " + type + " must be WARNING or ERROR");
    }
    Map<AnomalyInfo.Type, AnomalyInfo.Severity> m = new EnumMap<>(AnomalyInfo.Type.class);
    m.putAll(severities);
    m.put(type, severity);
    return new ValidationOptions(baseline, serving, m);
  }

  public AnomalyInfo.Severity severityOf(AnomalyInfo.Type type) {
    return severities.getOrDefault(type, AnomalyInfo.Severity.ERROR);
  }
}
