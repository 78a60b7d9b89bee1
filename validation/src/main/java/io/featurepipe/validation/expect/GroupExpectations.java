package io.featurepipe.validation.expect;

import io.featurepipe.validation.columns.DatasetKind;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checked {@code expect} section of one feature group, per column in definition order. Built
 * by {@link Expectations#of}.
 */
public record GroupExpectations(String group, Map<String, ColumnExpectation> columns)
    implements Serializable {

  public GroupExpectations {
    columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
  }

  /** The expectations on one dataset of the group (its input rows or its feature rows). */
  public Map<String, ColumnExpectation> of(DatasetKind dataset) {
    Map<String, ColumnExpectation> out = new LinkedHashMap<>();
    columns.forEach(
        (name, e) -> {
          if (e.dataset() == dataset) {
            out.put(name, e);
          }
        });
    return out;
  }
}
