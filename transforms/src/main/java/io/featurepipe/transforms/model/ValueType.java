package io.featurepipe.transforms.model;

import java.io.Serializable;

/**
 * The type of a feature value: a scalar column type, or a list of one ({@code top_k}, {@code last_k}).
 * Lists travel as {@link java.util.List} of the element's Java type.
 */
public record ValueType(ColumnType element, boolean list) implements Serializable {

  public static ValueType scalar(ColumnType type) {
    return new ValueType(type, false);
  }

  public static ValueType listOf(ColumnType type) {
    return new ValueType(type, true);
  }

  @Override
  public String toString() {
    return list ? "list<" + element.yamlName() + ">" : element.yamlName();
  }
}
