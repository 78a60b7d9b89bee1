package io.featurepipe.validation.gate;

import io.featurepipe.validation.anomalies.AnomalyReasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.metadata.v0.AnomalyInfo;
import org.tensorflow.metadata.v0.Anomalies;

/**
 * The quality gate of a run: a pure decision from the anomalies of its datasets. ERROR anomalies
 * block the run in {@link Mode#BLOCK} ({@code --gate=block}) and only warn in {@link Mode#WARN};
 * WARNING anomalies never block.
 *
 * <pre>{@code
 * GateDecision d = QualityGate.decide(QualityGate.Mode.BLOCK,
 *     Map.of("user_spend/input", anomalies));
 * if (d.blocks()) { throw new IllegalStateException(d.reason()); }
 * }</pre>
 */
public final class QualityGate {

  /** What ERROR anomalies do. */
  public enum Mode {
    BLOCK,
    WARN;

    /** Parses {@code block} or {@code warn}. */
    public static Mode parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("gate must be 'block' or 'warn', not '" + s + "'");
      }
    }
  }

  private QualityGate() {}

  /**
   * @param anomalies anomalies by dataset label (e.g. {@code user_spend/input}), in report order
   */
  public static GateDecision decide(Mode mode, Map<String, Anomalies> anomalies) {
    List<GateIssue> errors = new ArrayList<>();
    List<GateIssue> warnings = new ArrayList<>();
    for (Map.Entry<String, Anomalies> e : anomalies.entrySet()) {
      Anomalies a = e.getValue();
      for (Map.Entry<String, AnomalyInfo> info : new java.util.TreeMap<>(a.getAnomalyInfoMap()).entrySet()) {
        collect(e.getKey(), info.getKey(), info.getValue(), errors, warnings);
      }
      if (a.hasDatasetAnomalyInfo()) {
        collect(e.getKey(), "", a.getDatasetAnomalyInfo(), errors, warnings);
      }
    }
    if (errors.isEmpty()) {
      return new GateDecision(
          GateDecision.Verdict.PASS,
          "no ERROR anomalies" + (warnings.isEmpty() ? "" : " (" + warnings.size() + " warnings)"),
          errors, warnings);
    }
    StringBuilder reason =
        new StringBuilder(mode == Mode.BLOCK ? "blocked by " : "passed with ")
            .append(errors.size())
            .append(errors.size() == 1 ? " ERROR anomaly:" : " ERROR anomalies:");
    errors.forEach(i -> reason.append("\n  ").append(i));
    return new GateDecision(
        mode == Mode.BLOCK ? GateDecision.Verdict.BLOCK : GateDecision.Verdict.WARN,
        reason.toString(), errors, warnings);
  }

  private static void collect(
      String dataset, String feature, AnomalyInfo info, List<GateIssue> errors, List<GateIssue> warnings) {
    List<GateIssue> target = info.getSeverity() == AnomalyInfo.Severity.WARNING ? warnings : errors;
    if (info.getReasonCount() == 0) {
      target.add(new GateIssue(dataset, feature, "UNKNOWN_TYPE", info.getShortDescription(), null, null));
    }
    for (AnomalyInfo.Reason r : info.getReasonList()) {
      target.add(
          new GateIssue(dataset, feature, r.getType().name(), r.getShortDescription(),
              AnomalyReasons.measured(r), AnomalyReasons.threshold(r)));
    }
  }
}
