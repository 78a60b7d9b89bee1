package io.featurepipe.validation.anomalies;

import org.tensorflow.metadata.v0.Path;

/**
 * TFDV's serialized form of a {@link Path}, the key of {@code Anomalies.anomaly_info}: steps joined
 * with '.', a step holding '.', '\'', '(' or ')' wrapped in single quotes (inner quotes doubled),
 * except a step of the form {@code (…)} without inner parentheses.
 */
public final class FeaturePaths {
  private FeaturePaths() {}

  public static Path of(String name) {
    return Path.newBuilder().addStep(name).build();
  }

  public static String serialize(Path path) {
    StringBuilder out = new StringBuilder();
    for (String step : path.getStepList()) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(serializeStep(step));
    }
    return out.toString();
  }

  static String serializeStep(String step) {
    boolean parenthesised =
        step.length() >= 2
            && step.startsWith("(")
            && step.endsWith(")")
            && step.indexOf('(', 1) < 0
            && step.lastIndexOf(')', step.length() - 2) < 0;
    if (parenthesised) {
      return step;
    }
    if (step.contains(".") || step.contains("'") || step.contains("(") || step.contains(")")) {
      return "'" + step.replace("'", "''") + "'";
    }
    return step;
  }
}
