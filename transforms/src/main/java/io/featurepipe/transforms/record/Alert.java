package io.featurepipe.transforms.record;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A data-quality alert: a check on a group's data (or a source's) measured a value beyond its
 * threshold in a window. Validation produces alerts (anomalies, freshness, volume); the alert
 * outputs in {@code sinks} write them (JSON lines, logs, metrics, webhook). Defined here so that
 * neither of those modules imports the other.
 *
 * @param group the feature group, or the source for source-level checks
 * @param feature the feature or column, or empty for group-level checks (freshness, volume,
 *     example counts)
 * @param check what was checked, e.g. {@code freshness}, {@code volume}, {@code drift}, or an
 *     anomaly type such as {@code FEATURE_TYPE_LOW_FRACTION_PRESENT}
 * @param measured the measured value, or null when the check has no number (a missing column)
 * @param threshold the threshold it was compared with, or null
 * @param windowStartMillis start of the window the measurement covers (epoch millis, inclusive)
 * @param windowEndMillis end of that window (exclusive); for a bounded run, its range
 * @param severity how bad it is
 * @param message a sentence a person can act on
 */
public record Alert(
    String group,
    String feature,
    String check,
    Double measured,
    Double threshold,
    long windowStartMillis,
    long windowEndMillis,
    Severity severity,
    String message)
    implements Serializable {

  /** How bad an alert is. */
  public enum Severity {
    WARNING,
    ERROR
  }

  /** Deterministic coder of {@link Alert}. */
  public static final class Coder extends AtomicCoder<Alert> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(Alert a, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ValueCodec.writeString(a.group(), out);
      ValueCodec.writeString(a.feature() == null ? "" : a.feature(), out);
      ValueCodec.writeString(a.check(), out);
      ValueCodec.write(a.measured(), out);
      ValueCodec.write(a.threshold(), out);
      out.writeLong(a.windowStartMillis());
      out.writeLong(a.windowEndMillis());
      out.writeByte(a.severity().ordinal());
      ValueCodec.writeString(a.message(), out);
      out.flush();
    }

    @Override
    public Alert decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      return new Alert(
          ValueCodec.readString(in),
          ValueCodec.readString(in),
          ValueCodec.readString(in),
          (Double) ValueCodec.read(in),
          (Double) ValueCodec.read(in),
          in.readLong(),
          in.readLong(),
          Severity.values()[in.readByte()],
          ValueCodec.readString(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
