package io.featurepipe.pipelines.stream;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.detect.DetectAnomalies;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.stats.ComputeStatistics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;

/**
 * A stream's data validation: per fixed window of event time, the statistics of each group's input
 * records (after its filter, with derived columns) and of its feature rows, validated against the
 * schema of the definitions and, where given, drift against baseline statistics; one alert per
 * anomaly reason, emitted in the window's on-time pane (when the watermark passes its end).
 *
 * <p>The baseline of a group's features (a backfill's or {@code validate}'s {@code
 * <group>/features/stats.pb}: the statistics of the offline rows that training sets are joined
 * from) is also the training side of <b>training/serving skew</b>: each window's feature
 * statistics are the serving side, compared by the {@code max_skew} comparators of the feature's
 * {@code expect} (L-infinity for strings, approximate Jensen-Shannon otherwise, as TFDV).
 *
 * <p>Input: the records each source reads since the stream's start, tagged by {@link
 * ComputeFeatures#sourceTag}, and the feature rows under {@link #ROWS} (rows of window ends before
 * the start, computed from bootstrap files, are not validated again). Steps per group: {@code
 * InputStatistics/<group>}, {@code DetectInputAnomalies/<group>}, {@code FeatureStatistics/<group>},
 * {@code DetectFeatureAnomalies/<group>}.
 */
final class ValidateStream extends PTransform<PCollectionTuple, PCollection<Alert>> {
  static final TupleTag<FeatureRow> ROWS = new TupleTag<>("rows") {};

  private final FeatureRepository repository;
  private final List<String> groups;
  private final long sinceMillis;
  private final Duration window;
  private final Map<String, DatasetFeatureStatistics> baseline;
  private final String outputRoot;

  ValidateStream(
      FeatureRepository repository,
      List<String> groups,
      long sinceMillis,
      Duration window,
      Map<String, DatasetFeatureStatistics> baseline,
      String outputRoot) {
    this.repository = repository;
    this.groups = List.copyOf(groups);
    this.sinceMillis = sinceMillis;
    this.window = window;
    this.baseline = Map.copyOf(baseline);
    this.outputRoot = outputRoot;
  }

  /** The key of a dataset's baseline: {@code <group>/<kind folder>}. */
  static String datasetKey(String group, DatasetKind kind) {
    return group + "/" + kind.folder();
  }

  /**
   * The baseline statistics of the groups' datasets found under a validation output root ({@code
   * <root>/<group>/input/stats.pb}, {@code .../features/stats.pb}, as a backfill or {@code validate}
   * writes them), by {@code <group>/<kind>}; datasets without a file are left out.
   */
  static Map<String, DatasetFeatureStatistics> readBaseline(String root, List<String> groups) throws IOException {
    Map<String, DatasetFeatureStatistics> out = new LinkedHashMap<>();
    for (String g : groups) {
      for (DatasetKind kind : List.of(DatasetKind.GROUP_INPUT, DatasetKind.GROUP_FEATURES)) {
        String path = ValidationLayout.join(ValidationLayout.directory(root, g, kind), ValidationLayout.STATS);
        if (ValidationFiles.exists(path)) {
          var list = ValidationFiles.readStatistics(path);
          if (list.getDatasetsCount() > 0) {
            out.put(datasetKey(g, kind), list.getDatasets(0));
          }
        }
      }
    }
    return out;
  }

  @Override
  public PCollection<Alert> expand(PCollectionTuple input) {
    PCollection<FeatureRow> rows =
        input.get(ROWS).apply("RowsSinceStart", Filter.by(new SinceFn(sinceMillis)));
    List<PCollection<Alert>> alerts = new ArrayList<>();
    for (String name : groups) {
      FeatureGroupDef g = repository.group(name);
      PCollection<SourceRecord> records = input.get(ComputeFeatures.sourceTag(g.source()));
      alerts.add(
          records
              .apply("InputStatistics/" + name,
                  ComputeStatistics.ofGroupInput(repository, g).withFixedWindows(window))
              .apply("DetectInputAnomalies/" + name, detect(g, DatasetKind.GROUP_INPUT))
              .alerts());
      alerts.add(
          rows.apply("FeatureStatistics/" + name,
                  ComputeStatistics.ofGroupFeatures(repository, g).withFixedWindows(window))
              .apply("DetectFeatureAnomalies/" + name, detect(g, DatasetKind.GROUP_FEATURES))
              .alerts());
    }
    return PCollectionList.of(alerts).apply("FlattenAlerts", Flatten.pCollections());
  }

  private DetectAnomalies detect(FeatureGroupDef g, DatasetKind kind) {
    ValidationOptions options = ValidationOptions.defaults();
    DatasetFeatureStatistics base = baseline.get(datasetKey(g.name(), kind));
    if (base != null) {
      options = options.withBaseline(base);
      if (kind == DatasetKind.GROUP_FEATURES) {
        options = options.withServing(base);
      }
    }
    DetectAnomalies detect =
        DetectAnomalies.of(g.name(), kind, SchemaFromDefinitions.forGroup(repository, g, kind)).withOptions(options);
    return outputRoot == null ? detect : detect.withOutputRoot(outputRoot);
  }

  /** Rows of window ends at or after the start. */
  static final class SinceFn implements org.apache.beam.sdk.transforms.ProcessFunction<FeatureRow, Boolean> {
    private final long sinceMillis;

    SinceFn(long sinceMillis) {
      this.sinceMillis = sinceMillis;
    }

    @Override
    public Boolean apply(FeatureRow row) {
      return row.windowEndMillis() >= sinceMillis;
    }
  }
}
