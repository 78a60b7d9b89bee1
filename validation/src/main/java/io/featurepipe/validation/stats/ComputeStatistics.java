package io.featurepipe.validation.stats;

import io.featurepipe.transforms.group.CombineInBundles;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.columns.RowCoder;
import io.featurepipe.validation.columns.SelectGroupRows;
import java.time.Duration;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;

/**
 * Computes the statistics of a dataset: one {@link DatasetFeatureStatisticsList} (holding one
 * dataset named after the source or group) for a bounded run, or one per fixed window for a
 * stream (each output in its window, emitted when the watermark passes the window's end).
 *
 * <pre>{@code
 * // bounded: one statistics per run (an empty input gives num_examples 0)
 * records.apply("SourceStatistics", ComputeStatistics.ofSource(source));
 * // streaming: one per hour
 * rows.apply("FeatureStatistics",
 *     ComputeStatistics.ofGroupFeatures(repository, group).withFixedWindows(Duration.ofHours(1)));
 * }</pre>
 *
 * <p>Three datasets exist ({@link io.featurepipe.validation.columns.DatasetKind}): a source's
 * records, a group's input rows (after its filter, with derived columns) and a group's feature rows
 * (keys and features; explicit empty rows excluded). Streams: records later than the window's end
 * when it fires are not in its statistics (allowed lateness 0).
 */
public final class ComputeStatistics<I>
    extends PTransform<PCollection<I>, PCollection<DatasetFeatureStatisticsList>> {

  private final DatasetColumns columns;
  private final PTransform<PCollection<I>, PCollection<Object[]>> toRows;
  private final StatisticsOptions options;
  private final Duration window;
  private final int fanout;

  private ComputeStatistics(
      DatasetColumns columns,
      PTransform<PCollection<I>, PCollection<Object[]>> toRows,
      StatisticsOptions options,
      Duration window,
      int fanout) {
    this.columns = columns;
    this.toRows = toRows;
    this.options = options;
    this.window = window;
    this.fanout = fanout;
  }

  /** Statistics of a source's records (all its fields). */
  public static ComputeStatistics<SourceRecord> ofSource(SourceDef source) {
    DatasetColumns columns = DatasetColumns.ofSource(source);
    return new ComputeStatistics<>(columns, values(ExampleValues.sourceRecords()), StatisticsOptions.defaults(), null, 0);
  }

  /** Statistics of a group's input rows, from its source's records. */
  public static ComputeStatistics<SourceRecord> ofGroupInput(
      FeatureRepository repository, FeatureGroupDef group) {
    return new ComputeStatistics<>(
        DatasetColumns.ofGroupInput(repository, group),
        SelectGroupRows.of(repository, group),
        StatisticsOptions.defaults(),
        null,
        0);
  }

  /** Statistics of a group's feature rows; rows of other groups and explicit empties are ignored. */
  public static ComputeStatistics<FeatureRow> ofGroupFeatures(
      FeatureRepository repository, FeatureGroupDef group) {
    return new ComputeStatistics<>(
        DatasetColumns.ofGroupFeatures(repository, group), new SelectFeatureRows(group.name()),
        StatisticsOptions.defaults(), null, 0);
  }

  private static <T> PTransform<PCollection<T>, PCollection<Object[]>> values(ExampleValues<T> values) {
    return new ToValues<>(values);
  }

  /** Elements → their values ({@link ExampleValues}). */
  private static final class ToValues<T> extends PTransform<PCollection<T>, PCollection<Object[]>> {
    private final ExampleValues<T> values;

    ToValues(ExampleValues<T> values) {
      this.values = values;
    }

    @Override
    public PCollection<Object[]> expand(PCollection<T> input) {
      return input
          .apply("Values", MapElements.into(TypeDescriptor.of(Object[].class)).via(values::of))
          .setCoder(RowCoder.of());
    }
  }

  /** A group's non-empty feature rows → keys and feature values. */
  private static final class SelectFeatureRows extends PTransform<PCollection<FeatureRow>, PCollection<Object[]>> {
    private final String group;

    SelectFeatureRows(String group) {
      this.group = group;
    }

    @Override
    public PCollection<Object[]> expand(PCollection<FeatureRow> rows) {
      return rows.apply("OfGroup", Filter.by(new OfGroup(group)))
          .apply("ToValues", new ToValues<>(ExampleValues.featureRows()));
    }
  }

  private static final class OfGroup implements org.apache.beam.sdk.transforms.ProcessFunction<FeatureRow, Boolean> {
    private final String group;

    OfGroup(String group) {
      this.group = group;
    }

    @Override
    public Boolean apply(FeatureRow row) {
      return row.group().equals(group) && !row.empty();
    }
  }

  public ComputeStatistics<I> withOptions(StatisticsOptions newOptions) {
    return new ComputeStatistics<>(columns, toRows, newOptions, window, fanout);
  }

  /** One statistics per fixed window of this length (streams), instead of one per run. */
  public ComputeStatistics<I> withFixedWindows(Duration length) {
    if (length == null || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("statistics window must be positive, not " + length);
    }
    return new ComputeStatistics<>(columns, toRows, options, length, fanout);
  }

  /** Intermediate combining fan-out for large or skewed inputs (0: none). */
  public ComputeStatistics<I> withFanout(int newFanout) {
    if (newFanout < 0) {
      throw new IllegalArgumentException("fanout must be >= 0, not " + newFanout);
    }
    return new ComputeStatistics<>(columns, toRows, options, window, newFanout);
  }

  public DatasetColumns columns() {
    return columns;
  }

  @Override
  public PCollection<DatasetFeatureStatisticsList> expand(PCollection<I> input) {
    PCollection<Object[]> rows = input.apply("Rows", toRows);
    PCollection<Object[]> windowed =
        window == null
            ? rows.apply("GlobalWindow", Window.into(new GlobalWindows()))
            : rows.apply(
                "FixedWindows",
                Window.into(FixedWindows.of(org.joda.time.Duration.millis(window.toMillis()))));
    StatisticsCombineFn<Object[]> statistics = StatisticsCombineFn.of(columns, ExampleValues.rows()).withOptions(options);
    PCollection<DatasetFeatureStatistics> combined;
    if (window == null) {
      Combine.Globally<Object[], DatasetFeatureStatistics> combine = Combine.globally(statistics);
      combined = windowed.apply("Combine", fanout > 0 ? combine.withFanout(fanout) : combine);
    } else {
      // a stream: combined within each bundle first (Beam's Flink runner lifts no combiner in streaming)
      combined = windowed.apply(
          "Combine", CombineInBundles.globally(statistics).withoutDefaults().withFanout(fanout));
    }
    return combined
        .setCoder(ProtoCoder.of(DatasetFeatureStatistics.class))
        .apply(
            "ToList",
            MapElements.into(TypeDescriptor.of(DatasetFeatureStatisticsList.class))
                .via(d -> DatasetFeatureStatisticsList.newBuilder().addDatasets(d).build()))
        .setCoder(ProtoCoder.of(DatasetFeatureStatisticsList.class));
  }
}
