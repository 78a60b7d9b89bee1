package io.featurepipe.transforms.model;

/**
 * Which column types each aggregation accepts and the type of value it yields (DESIGN §2). The
 * loader reports a violation as a definition error; the aggregators rely on it.
 *
 * <ul>
 *   <li>{@code count}: no column; int.
 *   <li>{@code sum}: int or bool (true counts 1) → int; double → double.
 *   <li>{@code mean}, {@code stddev}, {@code variance}: int, double or bool → double.
 *   <li>{@code min}, {@code max}, {@code first}, {@code last}: any column → its type.
 *   <li>{@code approx_count_distinct}: any column → int.
 *   <li>{@code approx_quantile(q)}: int or double → double.
 *   <li>{@code top_k(k)}, {@code last_k(k)}: any column → a list of its type.
 * </ul>
 */
public final class TypeRules {
  private TypeRules() {}

  /**
   * The type of an aggregation's value over a column of type {@code input} (null for count).
   *
   * @throws IllegalArgumentException with a message for the user when the column type does not fit
   */
  public static ValueType outputType(Aggregation aggregation, ColumnType input) {
    AggregationKind kind = aggregation.kind();
    if (kind == AggregationKind.COUNT) {
      return ValueType.scalar(ColumnType.INT64);
    }
    if (input == null) {
      throw new IllegalArgumentException(kind.yamlName() + " needs a column");
    }
    switch (kind) {
      case SUM:
        requireNumeric(kind, input);
        return ValueType.scalar(input == ColumnType.DOUBLE ? ColumnType.DOUBLE : ColumnType.INT64);
      case MEAN:
      case STDDEV:
      case VARIANCE:
        requireNumeric(kind, input);
        return ValueType.scalar(ColumnType.DOUBLE);
      case MIN:
      case MAX:
      case FIRST:
      case LAST:
        return ValueType.scalar(input);
      case APPROX_COUNT_DISTINCT:
        return ValueType.scalar(ColumnType.INT64);
      case APPROX_QUANTILE:
        if (input != ColumnType.INT64 && input != ColumnType.DOUBLE) {
          throw new IllegalArgumentException(
              "approx_quantile needs an int or double column, not " + input.yamlName());
        }
        return ValueType.scalar(ColumnType.DOUBLE);
      case TOP_K:
      case LAST_K:
        return ValueType.listOf(input);
      default:
        throw new IllegalArgumentException("unknown aggregation " + kind);
    }
  }

  private static void requireNumeric(AggregationKind kind, ColumnType input) {
    if (!input.isNumeric()) {
      throw new IllegalArgumentException(
          kind.yamlName() + " needs a numeric column (int, double or bool), not " + input.yamlName());
    }
  }
}
