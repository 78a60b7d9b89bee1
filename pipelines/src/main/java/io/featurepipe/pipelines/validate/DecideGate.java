package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.group.EveryKey;
import io.featurepipe.validation.gate.GateDecision;
import io.featurepipe.validation.gate.GateIssue;
import io.featurepipe.validation.gate.QualityGate;
import io.featurepipe.validation.report.HtmlReport;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.tensorflow.metadata.v0.Anomalies;

/**
 * The quality gate of a bounded run, in its graph: once every dataset's anomalies are known,
 * decides ({@link QualityGate#decide}), writes the decision as {@code <out>/gate.json} ({@link
 * GateRecord}) and the HTML report as {@code <out>/report.html}, and outputs one reason per ERROR
 * anomaly when the gate blocks (nothing when it passes or only warns), for {@code
 * WriteOffline.withGate}. Counted: {@code gate_errors}, {@code gate_warnings} (anomaly reasons) and
 * {@code gate_blocked} (1 when blocked).
 *
 * <p>Input: the anomalies of each dataset, keyed by its label ({@code user_spend/input}); a
 * dataset expected but missing counts as an ERROR, so a graph that lost one cannot pass.
 */
final class DecideGate extends PTransform<PCollection<KV<String, Anomalies>>, PCollection<String>> {
  private final RunInfo run;
  private final BatchValidation validation;
  private final List<String> datasets;

  DecideGate(RunInfo run, BatchValidation validation, List<String> datasets) {
    this.run = run;
    this.validation = validation;
    this.datasets = List.copyOf(datasets);
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, Anomalies>> anomalies) {
    // all the anomalies under one key, so that the decision is taken once, when all are in
    String once = run.runId();
    PCollection<KV<String, KV<String, Anomalies>>> all =
        anomalies
            .apply("AllTogether", WithKeys.of(once))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), anomalies.getCoder()));
    return KeyedPCollectionTuple.of(ANOMALIES, all)
        .apply("Once", EveryKey.of(List.of(once)))
        .apply("Decide", ParDo.of(new DecideFn(this)))
        .setCoder(StringUtf8Coder.of());
  }

  /** The decision over anomalies by dataset, in the order of {@code datasets}. */
  static GateDecision decide(QualityGate.Mode mode, List<String> datasets, Map<String, Anomalies> found) {
    Map<String, Anomalies> ordered = new LinkedHashMap<>();
    for (String d : datasets) {
      Anomalies a = found.get(d);
      if (a == null) {
        throw new IllegalStateException("no anomalies were computed for dataset " + d);
      }
      ordered.put(d, a);
    }
    return QualityGate.decide(mode, ordered);
  }

  private static final TupleTag<KV<String, Anomalies>> ANOMALIES = new TupleTag<>("anomalies");

  private static final class DecideFn extends DoFn<KV<String, CoGbkResult>, String> {
    private final RunInfo run;
    private final BatchValidation validation;
    private final List<String> datasets;
    private final Counter errors = Metrics.counter("featurepipe", "gate_errors");
    private final Counter warnings = Metrics.counter("featurepipe", "gate_warnings");
    private final Counter blocked = Metrics.counter("featurepipe", "gate_blocked");

    DecideFn(DecideGate spec) {
      this.run = spec.run;
      this.validation = spec.validation;
      this.datasets = spec.datasets;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Map<String, Anomalies> byDataset = new LinkedHashMap<>();
      for (KV<String, Anomalies> a : c.element().getValue().getAll(ANOMALIES)) {
        if (byDataset.put(a.getKey(), a.getValue()) != null) {
          throw new IllegalStateException("two sets of anomalies for dataset " + a.getKey());
        }
      }
      GateDecision decision = decide(validation.gate(), datasets, byDataset);
      String root = validation.outputRoot();
      String baseline = validation.baseline().kind() == Baseline.Kind.AT ? validation.baseline().root() : null;
      GateRecord.of(run, baseline, validation.gate().name(), datasets, decision, root).write();
      HtmlReport.write(root, run.title(), baseline, decision);
      errors.inc(decision.errors().size());
      warnings.inc(decision.warnings().size());
      if (decision.blocks()) {
        blocked.inc();
        for (GateIssue issue : decision.errors()) {
          c.output(issue.toString());
        }
      }
    }
  }
}
