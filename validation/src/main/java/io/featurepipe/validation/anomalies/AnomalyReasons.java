package io.featurepipe.validation.anomalies;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.metadata.v0.AnomalyInfo;

/**
 * Anomaly reasons with their numbers. Every reason featurepipe writes ends its description with
 * {@code "(measured M, threshold T)"} when the check has numbers, so that gates, alerts and
 * reports can read them back from an {@code anomalies.pbtxt} alone.
 */
public final class AnomalyReasons {
  private static final Pattern NUMBERS =
      Pattern.compile("\\(measured (\\S+), threshold (\\S+)\\)$");

  private AnomalyReasons() {}

  /** A reason with a description and, when not null, the measured value and the threshold. */
  public static AnomalyInfo.Reason reason(
      AnomalyInfo.Type type, String shortDescription, String description, Double measured, Double threshold) {
    String text = description;
    if (measured != null && threshold != null) {
      text += " (measured " + format(measured) + ", threshold " + format(threshold) + ")";
    }
    return AnomalyInfo.Reason.newBuilder()
        .setType(type)
        .setShortDescription(shortDescription)
        .setDescription(text)
        .build();
  }

  /** The measured value of a reason, or null when its description names none. */
  public static Double measured(AnomalyInfo.Reason reason) {
    Matcher m = NUMBERS.matcher(reason.getDescription());
    return m.find() ? parse(m.group(1)) : null;
  }

  /** The threshold of a reason, or null when its description names none. */
  public static Double threshold(AnomalyInfo.Reason reason) {
    Matcher m = NUMBERS.matcher(reason.getDescription());
    return m.find() ? parse(m.group(2)) : null;
  }

  /** Shortest exact-enough form: integers without a fraction, others with up to 6 significant digits. */
  public static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    String s = String.format(Locale.ROOT, "%.6g", v);
    if (s.contains("e")) {
      return s.replaceAll("\\.?0+e", "e");
    }
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static Double parse(String s) {
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
