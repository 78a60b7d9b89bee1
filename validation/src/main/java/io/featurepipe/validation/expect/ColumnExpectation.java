package io.featurepipe.validation.expect;

import io.featurepipe.validation.columns.Column;
import io.featurepipe.validation.columns.DatasetKind;
import java.io.Serializable;
import java.util.List;
import org.tensorflow.metadata.v0.AnomalyInfo;

/**
 * The checked expectations of one column of a feature group ({@code expect: {column: {...}}}).
 * Null means "not set". Per record: {@code min}, {@code max}, {@code domain}, {@code regex}. Per
 * dataset: {@code presence} and the drift and skew thresholds (and, through the schema, min/max and
 * domain again over the whole batch).
 *
 * @param column the column and its type
 * @param dataset the dataset the column belongs to: the group's input (source and derived columns)
 *     or its feature rows (keys and features)
 * @param min smallest allowed value (numbers)
 * @param max largest allowed value (numbers)
 * @param presence smallest allowed fraction of rows with a value, in [0, 1]
 * @param domain the allowed values (strings, integers or booleans, by the column's type)
 * @param regex a Java regular expression every string value must match entirely
 * @param maxDistinctDrift L-infinity threshold between this batch's and the baseline's value
 *     frequencies (string columns)
 * @param maxDrift approximate Jensen-Shannon divergence threshold against the baseline
 * @param maxSkew threshold of training/serving skew (L-infinity for strings, Jensen-Shannon else)
 * @param severity the severity of this column's anomalies, or null for the default (ERROR)
 */
public record ColumnExpectation(
    Column column,
    DatasetKind dataset,
    Double min,
    Double max,
    Double presence,
    List<Object> domain,
    String regex,
    Double maxDistinctDrift,
    Double maxDrift,
    Double maxSkew,
    AnomalyInfo.Severity severity)
    implements Serializable {

  /** Whether any check applies to single records. */
  public boolean hasRecordChecks() {
    return min != null || max != null || domain != null || regex != null;
  }
}
