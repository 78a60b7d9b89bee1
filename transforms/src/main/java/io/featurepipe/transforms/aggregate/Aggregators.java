package io.featurepipe.transforms.aggregate;

import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.TypeRules;

/**
 * Makes the accumulator of an aggregation (DESIGN §2). Every accumulator is order-independent
 * (exact sums rounded once, deterministic sketches), deep-copyable and encodable with {@link
 * AccumulatorCoder}. See each accumulator's Javadoc for its exact semantics:
 *
 * <ul>
 *   <li>{@code count}: {@link CountAccumulator};
 *   <li>{@code sum}: {@link LongSumAccumulator} (int, bool), {@link DoubleSumAccumulator} (double);
 *   <li>{@code mean}, {@code variance}, {@code stddev}: {@link MomentsAccumulator};
 *   <li>{@code min}, {@code max}: {@link ExtremeAccumulator};
 *   <li>{@code first}, {@code last}: {@link FirstLastAccumulator};
 *   <li>{@code approx_count_distinct}: {@link DistinctCountAccumulator} (KMV, k = 1024);
 *   <li>{@code approx_quantile(q)}: {@link QuantileAccumulator} (DDSketch, 1%);
 *   <li>{@code top_k(k)}: {@link TopKAccumulator}; {@code last_k(k)}: {@link LastKAccumulator}.
 * </ul>
 */
public final class Aggregators {
  private Aggregators() {}

  /**
   * A new, empty accumulator of {@code aggregation} over a column of {@code inputType} (null for
   * {@code count}, where it is ignored). Values given to {@code add} must have the column type's
   * Java type (see {@link ColumnType}) or be null.
   *
   * @throws IllegalArgumentException when the column type does not fit the aggregation ({@link
   *     TypeRules}) or a parameter is missing or out of range (0 &lt; q &lt; 1, 1 &lt;= k &lt;= 1000)
   */
  public static Accumulator create(Aggregation aggregation, ColumnType inputType) {
    AggregationKind kind = aggregation.kind();
    TypeRules.outputType(aggregation, inputType); // throws when the type does not fit
    switch (kind) {
      case COUNT:
        return new CountAccumulator();
      case SUM:
        return inputType == ColumnType.DOUBLE
            ? new DoubleSumAccumulator()
            : new LongSumAccumulator(inputType);
      case MEAN:
        return new MomentsAccumulator(MomentsAccumulator.Statistic.MEAN, inputType);
      case VARIANCE:
        return new MomentsAccumulator(MomentsAccumulator.Statistic.VARIANCE, inputType);
      case STDDEV:
        return new MomentsAccumulator(MomentsAccumulator.Statistic.STDDEV, inputType);
      case MIN:
        return new ExtremeAccumulator(false, inputType);
      case MAX:
        return new ExtremeAccumulator(true, inputType);
      case FIRST:
        return new FirstLastAccumulator(false, inputType);
      case LAST:
        return new FirstLastAccumulator(true, inputType);
      case APPROX_COUNT_DISTINCT:
        return new DistinctCountAccumulator(inputType);
      case APPROX_QUANTILE:
        if (aggregation.q() == null) {
          throw new IllegalArgumentException("approx_quantile needs q");
        }
        return new QuantileAccumulator(aggregation.q(), inputType);
      case TOP_K:
        return new TopKAccumulator(requireK(aggregation), inputType);
      case LAST_K:
        return new LastKAccumulator(requireK(aggregation), inputType);
      default:
        throw new IllegalArgumentException("unknown aggregation " + kind);
    }
  }

  /**
   * The {@code mean} accumulator of the values a {@code mean}, {@code variance} or {@code stddev}
   * accumulator holds: the same state, and the same encoding, as a {@code mean} accumulator given
   * the same values. One variance accumulator then serves both statistics where both are wanted,
   * adding each value once (its exact sum is the mean's).
   *
   * @throws IllegalArgumentException when {@code moments} is another kind of accumulator
   */
  public static Accumulator meanOf(Accumulator moments) {
    if (!(moments instanceof MomentsAccumulator m)) {
      throw new IllegalArgumentException(
          "not a mean, variance or stddev accumulator: " + moments.getClass().getSimpleName());
    }
    return m.mean();
  }

  private static int requireK(Aggregation aggregation) {
    if (aggregation.k() == null) {
      throw new IllegalArgumentException(aggregation.kind().yamlName() + " needs k");
    }
    return aggregation.k();
  }
}
