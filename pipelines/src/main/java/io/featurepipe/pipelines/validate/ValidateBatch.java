package io.featurepipe.pipelines.validate;

import io.featurepipe.sinks.alerts.WriteAlerts;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.detect.DetectAnomalies;
import io.featurepipe.validation.detect.DetectedAnomalies;
import io.featurepipe.validation.monitor.CheckVolume;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.columns.DatasetColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;
import org.tensorflow.metadata.v0.Schema;

/**
 * Validates the data of a bounded run over days {@code from..to} inside its graph: statistics,
 * schema and anomalies of every dataset (each source of the groups, each group's input and
 * features; see {@code docs/validation.md}) written under the output root, one alert per anomaly
 * reason, and the quality gate's decision ({@link DecideGate}: {@code gate.json} and {@code
 * report.html} beside the datasets, and the reasons that block publication).
 *
 * <p>Input: a {@link PCollectionTuple} of the records each source read, unchecked, under {@link
 * ComputeFeatures#sourceTag} (a backfill's lookback may be included: only events of the run's days
 * are counted), and the computed feature rows under {@link #ROWS} (only rows whose window ends on
 * the run's days, the rows a backfill publishes, are counted). Source and input statistics so
 * describe the data as it arrived, before {@code CheckRecords} took bad values out of the feature
 * computation, and a batch with bad values fails the gate even though its features are clean.
 *
 * <pre>{@code
 * ValidatedBatch v = ValidateBatch.input(recordsBySource, rows)
 *     .apply("ValidateBatch", ValidateBatch.of(repository, run, BatchValidation.defaults()
 *         .withOutputRoot("out/_validation/run-1")));
 * rows.apply("WriteOffline", WriteOffline.of(...).withGate(v.blockers()));
 * }</pre>
 */
public final class ValidateBatch extends PTransform<PCollectionTuple, ValidatedBatch> {
  /** The feature rows in the input tuple. */
  public static final TupleTag<FeatureRow> ROWS = new TupleTag<>("rows") {};

  /** How many days (with records) before each day of the run a source's records are compared with ({@link CheckVolume#perDay}). */
  public static final int VOLUME_PAST_DAYS = 28;

  private final FeatureRepository repository;
  private final RunInfo run;
  private final BatchValidation validation;

  private ValidateBatch(FeatureRepository repository, RunInfo run, BatchValidation validation) {
    this.repository = repository;
    this.run = run;
    this.validation = validation;
  }

  /**
   * @param validation with an output root, and a baseline that is none or a folder (resolve {@link
   *     Baseline#previousRun()} first)
   */
  public static ValidateBatch of(FeatureRepository repository, RunInfo run, BatchValidation validation) {
    if (validation.outputRoot() == null) {
      throw new IllegalArgumentException("ValidateBatch needs a validation output root");
    }
    if (validation.baseline().kind() == Baseline.Kind.PREVIOUS_RUN) {
      throw new IllegalArgumentException("resolve the previous run's baseline before building the graph");
    }
    for (String g : run.groups()) {
      repository.group(g);
    }
    return new ValidateBatch(repository, run, validation);
  }

  /** The input tuple: records by source name, and the feature rows. */
  public static PCollectionTuple input(
      Map<String, PCollection<SourceRecord>> records, PCollection<FeatureRow> rows) {
    PCollectionTuple in = PCollectionTuple.of(ROWS, rows);
    for (var e : records.entrySet()) {
      in = in.and(ComputeFeatures.sourceTag(e.getKey()), e.getValue());
    }
    return in;
  }

  /** The sources the groups read, in definition order. */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    for (String name : repository.sources().keySet()) {
      if (run.groups().stream().anyMatch(g -> repository.group(g).source().equals(name))) {
        out.add(name);
      }
    }
    return out;
  }

  /** The dataset labels ({@code <name>/<kind folder>}) in report order: sources, then each group's input and features. */
  public List<String> datasets() {
    List<String> out = new ArrayList<>();
    sources().forEach(s -> out.add(label(s, DatasetKind.SOURCE)));
    for (String g : run.groups()) {
      out.add(label(g, DatasetKind.GROUP_INPUT));
      out.add(label(g, DatasetKind.GROUP_FEATURES));
    }
    return out;
  }

  /** The columns of every dataset, by label, in report order. */
  private Map<String, DatasetColumns> columns() {
    Map<String, DatasetColumns> out = new LinkedHashMap<>();
    for (String name : sources()) {
      out.put(label(name, DatasetKind.SOURCE), DatasetColumns.ofSource(repository.source(name)));
    }
    for (String g : run.groups()) {
      FeatureGroupDef def = repository.group(g);
      out.put(label(g, DatasetKind.GROUP_INPUT), DatasetColumns.ofGroupInput(repository, def));
      out.put(label(g, DatasetKind.GROUP_FEATURES), DatasetColumns.ofGroupFeatures(repository, def));
    }
    return out;
  }

  @Override
  public ValidatedBatch expand(PCollectionTuple input) {
    long start = startOf(run.from());
    long end = startOf(run.to().plusDays(1));
    Map<String, String> shared = new LinkedHashMap<>();
    for (String name : sources()) {
      DatasetExamples.sharedInputs(repository, name, run.groups())
          .forEach((g, of) -> shared.put(label(g, DatasetKind.GROUP_INPUT), of));
    }
    ComputeBatchStatistics statistics = new ComputeBatchStatistics(columns(), shared);
    List<PCollection<KV<KV<String, Integer>, byte[]>>> partials = new ArrayList<>();
    for (String name : sources()) {
      partials.add(input.get(ComputeFeatures.sourceTag(name))
          .apply("Accumulate/" + name,
              statistics.accumulate(DatasetExamples.ofSource(repository, name, run.groups(), start, end))));
    }
    partials.add(input.get(ROWS)
        .apply("Accumulate/features", statistics.accumulate(DatasetExamples.ofFeatures(run.groups(), start, end))));
    List<String> datasets = datasets();
    PCollectionList<KV<String, DatasetFeatureStatisticsList>> stats =
        PCollectionList.of(partials)
            .apply("Statistics", statistics)
            .apply("ByDataset", Partition.of(datasets.size(), new ByLabel(datasets)));
    List<PCollection<KV<String, Anomalies>>> anomalies = new ArrayList<>();
    List<PCollection<Alert>> alerts = new ArrayList<>();
    for (String name : sources()) {
      detect(name, DatasetKind.SOURCE, SchemaFromDefinitions.forSource(repository.source(name)), stats, anomalies, alerts);
    }
    for (String g : run.groups()) {
      FeatureGroupDef def = repository.group(g);
      detect(g, DatasetKind.GROUP_INPUT, SchemaFromDefinitions.forGroupInput(repository, def), stats, anomalies, alerts);
      detect(g, DatasetKind.GROUP_FEATURES, SchemaFromDefinitions.forGroupFeatures(repository, def), stats, anomalies, alerts);
    }
    for (String name : sources()) {
      alerts.add(volume(name, input.get(ComputeFeatures.sourceTag(name))));
    }
    PCollection<String> blockers =
        PCollectionList.of(anomalies)
            .apply("FlattenAnomalies", Flatten.pCollections())
            .apply("DecideGate", new DecideGate(run, validation, datasets));
    PCollection<Alert> allAlerts = PCollectionList.of(alerts).apply("FlattenAlerts", Flatten.pCollections());
    WriteAlerts write = WriteAlerts.create();
    if (validation.alerts() != null) {
      write = write.withLocation(validation.alerts());
    }
    if (validation.webhook() != null) {
      write = write.withWebhook(validation.webhook());
    }
    PCollection<DeadLetter> undelivered = allAlerts.apply("WriteAlerts", write);
    return ValidatedBatch.of(input.getPipeline(), blockers, allAlerts, undelivered);
  }

  private void detect(
      String name, DatasetKind kind, Schema schema, PCollectionList<KV<String, DatasetFeatureStatisticsList>> stats,
      List<PCollection<KV<String, Anomalies>>> anomalies, List<PCollection<Alert>> alerts) {
    String label = label(name, kind);
    ValidationOptions options = ValidationOptions.defaults();
    DatasetFeatureStatistics baseline = baselineOf(name, kind);
    if (baseline != null) {
      options = options.withBaseline(baseline);
    }
    DetectedAnomalies detected =
        stats.get(datasets().indexOf(label))
            .apply("StatisticsOf/" + label, Values.create())
            .apply(
                "DetectAnomalies/" + label,
                DetectAnomalies.of(name, kind, schema)
                    .withOptions(options)
                    .withRunRange(Instant.ofEpochMilli(startOf(run.from())), Instant.ofEpochMilli(startOf(run.to().plusDays(1))))
                    .withOutputRoot(validation.outputRoot()));
    anomalies.add(
        detected.anomalies()
            .apply("Labelled/" + label,
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Anomalies.class)))
                    .via((Anomalies a) -> KV.of(label, a)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ProtoCoder.of(Anomalies.class))));
    alerts.add(detected.alerts());
  }

  /**
   * A source's records per day of event time, each day of the run against the source's days with
   * records before it, back to the first whole day read (a backfill's lookback) and at most {@link
   * #VOLUME_PAST_DAYS}: once the source has 3 such days, a day with fewer than a fifth or more
   * than five times the median of them (none at all included) is an ERROR alert, outside half to
   * twice a WARNING. Alerts only: the gate decides on anomalies.
   */
  private PCollection<Alert> volume(String source, PCollection<SourceRecord> records) {
    long firstRead = ReadBatch.EventRange.of(repository, source, run.groups(), run.from(), run.to()).startMillis();
    // the first whole day read: a day the lookback reads only in part is no part of the history
    LocalDate historyFrom = LocalDate.ofEpochDay(-Math.floorDiv(-firstRead, java.util.concurrent.TimeUnit.DAYS.toMillis(1)));
    return records.apply("CheckVolume/" + source,
        CheckVolume.perDay(List.of(source), historyFrom, run.from(), run.to(), VOLUME_PAST_DAYS).onRecords(source));
  }

  /** The partition of a dataset's statistics: its index among the datasets. */
  static final class ByLabel implements Partition.PartitionFn<KV<String, DatasetFeatureStatisticsList>> {
    private final List<String> datasets;

    ByLabel(List<String> datasets) {
      this.datasets = List.copyOf(datasets);
    }

    @Override
    public int partitionFor(KV<String, DatasetFeatureStatisticsList> stats, int partitions) {
      return datasets.indexOf(stats.getKey());
    }
  }

  /** The baseline's statistics of a dataset, or null when there is no baseline or it lacks the dataset. */
  private DatasetFeatureStatistics baselineOf(String name, DatasetKind kind) {
    if (validation.baseline().kind() != Baseline.Kind.AT) {
      return null;
    }
    String path = ValidationLayout.join(
        ValidationLayout.directory(validation.baseline().root(), name, kind), ValidationLayout.STATS);
    try {
      if (!ValidationFiles.exists(path)) {
        return null;
      }
      DatasetFeatureStatisticsList list = ValidationFiles.readStatistics(path);
      return list.getDatasetsCount() == 0 ? null : list.getDatasets(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the baseline statistics " + path + ": " + e.getMessage(), e);
    }
  }

  static String label(String name, DatasetKind kind) {
    return name + "/" + kind.folder();
  }

  static long startOf(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

}
