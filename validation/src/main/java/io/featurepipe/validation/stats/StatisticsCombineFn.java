package io.featurepipe.validation.stats;

import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.ExampleValues;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * Computes the statistics of one dataset as a mergeable, deterministic {@link Combine.CombineFn}:
 * the same multiset of examples gives the same {@link DatasetFeatureStatistics}, byte for byte,
 * whatever the bundling and merge order. Exact: {@code num_examples}, presence and value counts,
 * min, max, {@code num_zeros}, mean (rounded once from an exact sum), string counts and {@code
 * unique} up to {@link StatisticsOptions#distinctCapacity()} distinct values, avg_length. std_dev
 * is the population standard deviation from exact moments (two roundings). Sketched (see {@link
 * LogBucketSketch} and {@link DistinctValueSample} for the bounds): median and histograms; {@code
 * unique} and top values above the distinct capacity.
 *
 * <pre>{@code
 * PCollection<DatasetFeatureStatistics> stats = records.apply(Combine.globally(
 *     StatisticsCombineFn.of(DatasetColumns.ofSource(source), ExampleValues.sourceRecords())));
 * }</pre>
 */
public final class StatisticsCombineFn<T>
    extends Combine.CombineFn<T, DatasetAccumulator, DatasetFeatureStatistics> {
  private final DatasetColumns columns;
  private final ExampleValues<T> values;
  private final StatisticsOptions options;

  private StatisticsCombineFn(
      DatasetColumns columns, ExampleValues<T> values, StatisticsOptions options) {
    this.columns = columns;
    this.values = values;
    this.options = options;
  }

  public static <T> StatisticsCombineFn<T> of(DatasetColumns columns, ExampleValues<T> values) {
    return new StatisticsCombineFn<>(columns, values, StatisticsOptions.defaults());
  }

  public StatisticsCombineFn<T> withOptions(StatisticsOptions options) {
    return new StatisticsCombineFn<>(columns, values, options);
  }

  public DatasetColumns columns() {
    return columns;
  }

  @Override
  public DatasetAccumulator createAccumulator() {
    return new DatasetAccumulator(columns, options);
  }

  @Override
  public DatasetAccumulator addInput(DatasetAccumulator acc, T input) {
    acc.add(values.of(input));
    return acc;
  }

  @Override
  public DatasetAccumulator mergeAccumulators(Iterable<DatasetAccumulator> accumulators) {
    DatasetAccumulator merged = createAccumulator();
    for (DatasetAccumulator a : accumulators) {
      merged.merge(a);
    }
    return merged;
  }

  @Override
  public DatasetFeatureStatistics extractOutput(DatasetAccumulator acc) {
    return new StatisticsBuilder(columns, options).build(acc);
  }

  @Override
  public Coder<DatasetAccumulator> getAccumulatorCoder(CoderRegistry registry, Coder<T> inputCoder)
      throws CannotProvideCoderException {
    return new DatasetAccumulator.Coder(columns, options);
  }

  @Override
  public Coder<DatasetFeatureStatistics> getDefaultOutputCoder(
      CoderRegistry registry, Coder<T> inputCoder) {
    return ProtoCoder.of(DatasetFeatureStatistics.class);
  }
}
