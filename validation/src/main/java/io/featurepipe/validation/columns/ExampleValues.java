package io.featurepipe.validation.columns;

import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import java.io.Serializable;

/**
 * Reads an element's values in the order of its {@link DatasetColumns}. Implementations must be
 * stateless and serializable: they run inside CombineFns.
 */
@FunctionalInterface
public interface ExampleValues<T> extends Serializable {

  Object[] of(T element);

  /** A source record's values, as they are (source field order). */
  static ExampleValues<SourceRecord> sourceRecords() {
    return SourceRecord::values;
  }

  /** Group input rows already evaluated by {@link GroupRows}. */
  static ExampleValues<Object[]> rows() {
    return row -> row;
  }

  /** A feature row's entity key values, then its feature values. */
  static ExampleValues<FeatureRow> featureRows() {
    return row -> {
      Object[] out = new Object[row.key().size() + row.values().length];
      for (int i = 0; i < row.key().size(); i++) {
        out[i] = row.key().get(i);
      }
      System.arraycopy(row.values(), 0, out, row.key().size(), row.values().length);
      return out;
    };
  }
}
