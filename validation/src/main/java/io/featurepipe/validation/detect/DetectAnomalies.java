package io.featurepipe.validation.detect;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.validation.alert.AlertPolicy;
import io.featurepipe.validation.alert.AnomalyAlerts;
import io.featurepipe.validation.anomalies.ValidateStatistics;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.schema.InferSchema;
import io.featurepipe.validation.output.ValidationLayout;
import java.io.IOException;
import java.time.Instant;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.tensorflow.metadata.v0.Anomalies;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;
import org.tensorflow.metadata.v0.Schema;

/**
 * Validates each statistics (of {@link io.featurepipe.validation.stats.ComputeStatistics}) against
 * a schema and the baseline and serving statistics of the {@link ValidationOptions}, and raises an
 * alert per anomaly reason. Outputs stay in the statistics' window, so in a stream the alerts of a
 * window fire as soon as its statistics do (when the watermark passes the window's end). Alerts
 * carry the window's bounds (for bounded runs in the global window, the run range given with
 * {@link #withRunRange}). With {@link #withOutputRoot} it also writes the statistics, schema and
 * anomalies files of the validation layout. Counted: {@code featurepipe:anomalies_<group>} per
 * anomalous feature.
 *
 * <pre>{@code
 * DetectedAnomalies detected = stats.apply("DetectAnomalies/user_spend/input",
 *     DetectAnomalies.of("user_spend", DatasetKind.GROUP_INPUT, schema)
 *         .withOptions(ValidationOptions.defaults().withBaseline(baseline))
        .withOutputRoot("out/validation"));
 * detected.alerts().apply("WriteAlerts", WriteAlerts.to(...));
 * }</pre>
 */
public final class DetectAnomalies
    extends PTransform<PCollection<DatasetFeatureStatisticsList>, DetectedAnomalies> {
  private final String group;
  private final DatasetKind kind;
  private final Schema schema;
  private final ValidationOptions options;
  private final AlertPolicy policy;
  private final Instant runStart;
  private final Instant runEnd;
  private final String outputRoot;

  private DetectAnomalies(
      String group, DatasetKind kind, Schema schema, ValidationOptions options, AlertPolicy policy,
      Instant runStart, Instant runEnd, String outputRoot) {
    this.group = group;
    this.kind = kind;
    this.schema = schema;
    this.options = options;
    this.policy = policy;
    this.runStart = runStart;
    this.runEnd = runEnd;
    this.outputRoot = outputRoot;
  }

  /**
   * @param name the group (or source) the statistics describe and the alerts name
   * @param kind which of its datasets
   */
  public static DetectAnomalies of(String name, DatasetKind kind, Schema schema) {
    if (name == null || name.isEmpty() || kind == null || schema == null) {
      throw new IllegalArgumentException("DetectAnomalies needs a name, a dataset kind and a schema");
    }
    return new DetectAnomalies(name, kind, schema, ValidationOptions.defaults(), AlertPolicy.defaults(), null, null, null);
  }

  public DetectAnomalies withOptions(ValidationOptions newOptions) {
    return new DetectAnomalies(group, kind, schema, newOptions, policy, runStart, runEnd, outputRoot);
  }

  public DetectAnomalies withAlertPolicy(AlertPolicy newPolicy) {
    return new DetectAnomalies(group, kind, schema, options, newPolicy, runStart, runEnd, outputRoot);
  }

  /** The window alerts of a bounded run (global window) name: the run's range. */
  public DetectAnomalies withRunRange(Instant start, Instant end) {
    if (start == null || end == null || !start.isBefore(end)) {
      throw new IllegalArgumentException("run range must be non-empty: " + start + " .. " + end);
    }
    return new DetectAnomalies(group, kind, schema, options, policy, start, end, outputRoot);
  }

  /**
   * Also writes {@code stats.pb}, {@code schema.pbtxt} and {@code anomalies.pbtxt} under {@link
   * ValidationLayout#directory} of this root (per window in streams).
   */
  public DetectAnomalies withOutputRoot(String root) {
    if (root == null || root.isEmpty()) {
      throw new IllegalArgumentException("output root must not be empty");
    }
    return new DetectAnomalies(group, kind, schema, options, policy, runStart, runEnd, root);
  }

  private String label() {
    return group + "/" + kind.folder();
  }

  @Override
  public DetectedAnomalies expand(PCollection<DatasetFeatureStatisticsList> stats) {
    PCollectionTuple out =
        stats.apply(
            "Validate",
            ParDo.of(new ValidateFn(this))
                .withOutputTags(DetectedAnomalies.ANOMALIES, TupleTagList.of(DetectedAnomalies.ALERTS)));
    out.get(DetectedAnomalies.ANOMALIES).setCoder(ProtoCoder.of(Anomalies.class));
    out.get(DetectedAnomalies.ALERTS).setCoder(Alert.Coder.of());
    return new DetectedAnomalies(out);
  }

  private static final class ValidateFn extends DoFn<DatasetFeatureStatisticsList, Anomalies> {
    private final DetectAnomalies spec;
    private final Counter anomalous;

    ValidateFn(DetectAnomalies spec) {
      this.spec = spec;
      this.anomalous = Metrics.counter("featurepipe", "anomalies_" + spec.group);
    }

    @ProcessElement
    public void process(@Element DatasetFeatureStatisticsList list, BoundedWindow window, MultiOutputReceiver out)
        throws IOException {
      long start;
      long end;
      String dir = null;
      if (window instanceof IntervalWindow w) {
        start = w.start().getMillis();
        end = w.end().getMillis();
        if (spec.outputRoot != null) {
          dir = ValidationLayout.directory(spec.outputRoot, spec.group, spec.kind, Instant.ofEpochMilli(start));
        }
      } else {
        start = spec.runStart == null ? 0 : spec.runStart.toEpochMilli();
        end = spec.runEnd == null ? 0 : spec.runEnd.toEpochMilli();
        if (spec.outputRoot != null) {
          dir = ValidationLayout.directory(spec.outputRoot, spec.group, spec.kind);
        }
      }
      for (DatasetFeatureStatistics stats : list.getDatasetsList()) {
        Anomalies anomalies = ValidateStatistics.validate(stats, spec.schema, spec.options);
        anomalous.inc(anomalies.getAnomalyInfoCount() + (anomalies.hasDatasetAnomalyInfo() ? 1 : 0));
        if (dir != null) {
          ValidationFiles.writeStatistics(ValidationLayout.join(dir, ValidationLayout.STATS), list);
          ValidationFiles.writeSchema(ValidationLayout.join(dir, ValidationLayout.SCHEMA), spec.schema);
          ValidationFiles.writeAnomalies(ValidationLayout.join(dir, ValidationLayout.ANOMALIES), anomalies);
          ValidationFiles.writeSchema(ValidationLayout.join(dir, ValidationLayout.INFERRED_SCHEMA), InferSchema.from(stats));
        }
        out.get(DetectedAnomalies.ANOMALIES).output(anomalies);
        for (Alert a : AnomalyAlerts.of(spec.group, spec.label(), anomalies, start, end, spec.policy)) {
          out.get(DetectedAnomalies.ALERTS).output(a);
        }
      }
    }
  }
}
