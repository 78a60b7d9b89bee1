package io.featurepipe.pipelines.validate;

import io.featurepipe.validation.gate.QualityGate;
import java.io.Serializable;

/**
 * How a bounded run ({@code backfill}, {@code validate}) validates its data: where the outputs go,
 * what the quality gate does with ERROR anomalies, the baseline for drift, and where alerts go.
 * Immutable; {@code withX} returns a copy.
 *
 * <pre>{@code
 * BatchValidation v = BatchValidation.defaults()          // gate block, no baseline, alerts logged
 *     .withOutputRoot("out/validation")                  // a backfill defaults to <offline>/_validation/run-<id>
 *     .withGate(QualityGate.Mode.WARN)
 *     .withBaseline(Baseline.previousRun())
 *     .withAlerts("out/alerts").withWebhook("https://hooks.example/featurepipe");
 * }</pre>
 *
 * @param outputRoot where the statistics, schemas, anomalies, report and {@code gate.json} go, or
 *     null for the pipeline's default
 * @param gate what ERROR anomalies do: block publication, or only warn
 * @param baseline what drift is measured against
 * @param alerts a folder for the run's alerts as JSON lines, or null (alerts are always logged
 *     and counted)
 * @param webhook an http(s) URL each alert is POSTed to, or null
 */
public record BatchValidation(
    String outputRoot, QualityGate.Mode gate, Baseline baseline, String alerts, String webhook)
    implements Serializable {

  public BatchValidation {
    if (outputRoot != null && outputRoot.isEmpty()) {
      throw new IllegalArgumentException("validation output must not be empty");
    }
    if (gate == null) {
      throw new IllegalArgumentException("gate must be block or warn, not null");
    }
    if (baseline == null) {
      throw new IllegalArgumentException("baseline must not be null (use Baseline.none())");
    }
    if (alerts != null && alerts.isEmpty()) {
      throw new IllegalArgumentException("alert folder must not be empty");
    }
    if (webhook != null && !(webhook.startsWith("http://") || webhook.startsWith("https://"))) {
      throw new IllegalArgumentException("webhook must be an http(s) URL, not '" + webhook + "'");
    }
  }

  /** Gate {@code block}, no baseline, alerts logged and counted, outputs where the pipeline puts them. */
  public static BatchValidation defaults() {
    return new BatchValidation(null, QualityGate.Mode.BLOCK, Baseline.none(), null, null);
  }

  public BatchValidation withOutputRoot(String root) {
    return new BatchValidation(root, gate, baseline, alerts, webhook);
  }

  public BatchValidation withGate(QualityGate.Mode mode) {
    return new BatchValidation(outputRoot, mode, baseline, alerts, webhook);
  }

  public BatchValidation withBaseline(Baseline newBaseline) {
    return new BatchValidation(outputRoot, gate, newBaseline, alerts, webhook);
  }

  public BatchValidation withAlerts(String folder) {
    return new BatchValidation(outputRoot, gate, baseline, folder, webhook);
  }

  public BatchValidation withWebhook(String url) {
    return new BatchValidation(outputRoot, gate, baseline, alerts, url);
  }
}
