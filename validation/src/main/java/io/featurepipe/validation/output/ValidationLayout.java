package io.featurepipe.validation.output;

import io.featurepipe.validation.columns.DatasetKind;
import java.time.Instant;

/**
 * Where validation outputs go (DESIGN §4), under an output root (any Beam file system path):
 *
 * <pre>
 * &lt;out&gt;/&lt;name&gt;/&lt;kind&gt;/stats.pb         DatasetFeatureStatisticsList, binary (TFDV, Facets)
 * &lt;out&gt;/&lt;name&gt;/&lt;kind&gt;/schema.pbtxt     Schema, text format
 * &lt;out&gt;/&lt;name&gt;/&lt;kind&gt;/anomalies.pbtxt  Anomalies, text format
 * &lt;out&gt;/&lt;name&gt;/&lt;kind&gt;/inferred_schema.pbtxt  Schema inferred from the statistics, to review
 * &lt;out&gt;/report.html                     the run's HTML report
 * </pre>
 *
 * {@code <name>} is the source or group, {@code <kind>} {@code source}, {@code input} or {@code
 * features} ({@link DatasetKind#folder()}). Streams add a folder per statistics window: {@code
 * .../<kind>/window=2026-01-01T10:00:00Z/stats.pb}.
 */
public final class ValidationLayout {
  public static final String STATS = "stats.pb";
  public static final String SCHEMA = "schema.pbtxt";
  public static final String ANOMALIES = "anomalies.pbtxt";
  /** The schema TFDV's rules infer from the statistics, for a person to review (never used to validate). */
  public static final String INFERRED_SCHEMA = "inferred_schema.pbtxt";
  public static final String REPORT = "report.html";

  private ValidationLayout() {}

  /** The folder of one dataset's outputs. */
  public static String directory(String root, String name, DatasetKind kind) {
    return join(join(root, name), kind.folder());
  }

  /** The folder of one dataset's outputs for one statistics window. */
  public static String directory(String root, String name, DatasetKind kind, Instant windowStart) {
    return join(directory(root, name, kind), "window=" + windowStart);
  }

  public static String join(String dir, String child) {
    return dir.endsWith("/") ? dir + child : dir + "/" + child;
  }
}
