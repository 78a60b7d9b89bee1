package io.featurepipe.validation.gate;

import java.util.List;

/**
 * What the quality gate decided, and why.
 *
 * @param verdict PASS (no ERROR anomaly), WARN (ERROR anomalies, gate in warn mode) or BLOCK
 * @param reason a human-readable reason listing every ERROR anomaly (dataset, feature, what,
 *     measured, threshold), or "no ERROR anomalies"
 * @param errors the ERROR anomaly reasons
 * @param warnings the WARNING anomaly reasons (never block)
 */
public record GateDecision(Verdict verdict, String reason, List<GateIssue> errors, List<GateIssue> warnings) {

  /** The outcome. */
  public enum Verdict {
    PASS,
    WARN,
    BLOCK
  }

  public GateDecision {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** Whether the run must not publish (and the command exit non-zero). */
  public boolean blocks() {
    return verdict == Verdict.BLOCK;
  }
}
