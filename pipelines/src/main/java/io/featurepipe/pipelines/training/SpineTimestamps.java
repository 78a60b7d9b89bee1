package io.featurepipe.pipelines.training;

import io.featurepipe.transforms.decode.BadRecordException;
import io.featurepipe.transforms.decode.RecordDecoder;
import io.featurepipe.transforms.decode.TimestampParser;
import java.io.Serializable;
import java.util.regex.Pattern;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Reads a spine's timestamp column into epoch nanoseconds, at full precision.
 *
 * <p>Format {@value #AUTO} (the default): text is ISO-8601 ({@code Z}, any offset, or no zone for
 * UTC; up to nanoseconds), an integer (a JSON or Avro number, or all-digit text) is epoch
 * <em>milliseconds</em>. Epoch seconds and microseconds look like milliseconds of another era, so in
 * this format an integer that is not a millisecond time between 1980 and 2200 is refused (a dead
 * letter naming the unit it looks like) rather than misread: name the unit with {@code
 * epoch_seconds}, {@code epoch_millis} or {@code epoch_micros}. Those, {@code iso8601} and {@code
 * DateTimeFormatter} patterns (UTC) read as in source definitions. Avro fields with a {@code
 * timestamp-millis} or {@code timestamp-micros} logical type are read by their type in any format.
 */
public final class SpineTimestamps implements Serializable {
  public static final String AUTO = "auto";

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  /** 1980-01-01 and 2200-01-01 in epoch millis: the range {@value #AUTO} accepts for integers. */
  private static final long MIN_MILLIS = 315_532_800_000L;
  private static final long MAX_MILLIS = 7_258_118_400_000L;

  private final String format;
  private final TimestampParser parser;

  private SpineTimestamps(String format) {
    this.format = format;
    this.parser = new TimestampParser(format.equals(AUTO) ? "iso8601" : format);
  }

  /** @throws IllegalArgumentException for a format that is neither known nor a valid pattern */
  public static SpineTimestamps of(String format) {
    String f = format == null || format.isBlank() ? AUTO : format.trim();
    if (!f.equals(AUTO) && !TimestampParser.isValidFormat(f)) {
      throw new IllegalArgumentException(
          "spine timestamp format '" + format + "' is not auto, iso8601, epoch_seconds, epoch_millis,"
              + " epoch_micros or a valid DateTimeFormatter pattern");
    }
    return new SpineTimestamps(f);
  }

  public String format() {
    return format;
  }

  /**
   * The time of a value of the timestamp column ({@code fieldSchema}: its Avro type, for logical
   * types; may be null).
   */
  public long parse(Object value, Schema fieldSchema) throws BadRecordException {
    if (value == null) {
      throw new BadRecordException("is empty");
    }
    LogicalType logical = logicalType(fieldSchema);
    if (value instanceof Long || value instanceof Integer) {
      long v = ((Number) value).longValue();
      try {
        if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.LocalTimestampMillis) {
          return Math.multiplyExact(v, 1_000_000L);
        }
        if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
          return Math.multiplyExact(v, 1_000L);
        }
      } catch (ArithmeticException e) {
        throw new BadRecordException("is " + v + ", out of the range of timestamps");
      }
      return format.equals(AUTO) ? autoMillis(v) : parser.fromNumber(v);
    }
    if (value instanceof CharSequence cs) {
      String text = cs.toString().trim();
      if (format.equals(AUTO) && INTEGER.matcher(text).matches()) {
        try {
          return autoMillis(Long.parseLong(text));
        } catch (NumberFormatException e) {
          throw new BadRecordException("is '" + RecordDecoder.shown(text) + "', out of the range of timestamps");
        }
      }
      try {
        return parser.parse(text);
      } catch (BadRecordException e) {
        throw new BadRecordException(
            "is '" + RecordDecoder.shown(text) + "', not " + (format.equals(AUTO) ? "an ISO-8601 time or integer epoch millis" : "a " + format + " timestamp"));
      }
    }
    throw new BadRecordException(
        "is " + value + " (" + value.getClass().getSimpleName() + "), not "
            + (format.equals(AUTO) ? "an ISO-8601 text or integer epoch millis" : "a " + format + " timestamp"));
  }

  private static long autoMillis(long v) throws BadRecordException {
    if (v >= MIN_MILLIS && v < MAX_MILLIS) {
      return v * 1_000_000L;
    }
    String unit =
        v >= MIN_MILLIS / 1000 && v < MAX_MILLIS / 1000 ? "epoch_seconds"
            : v / 1000 >= MIN_MILLIS && v / 1000 < MAX_MILLIS ? "epoch_micros"
            : v / 1_000_000 >= MIN_MILLIS && v / 1_000_000 < MAX_MILLIS ? "epoch nanoseconds (not supported)"
            : null;
    throw new BadRecordException(
        "is " + v + ", not epoch millis between 1980 and 2200"
            + (unit == null ? "" : "; it looks like " + unit + ": set the spine timestamp format"));
  }

  private static LogicalType logicalType(Schema s) {
    if (s == null) {
      return null;
    }
    if (s.getType() == Schema.Type.UNION) {
      for (Schema branch : s.getTypes()) {
        if (branch.getType() != Schema.Type.NULL) {
          return branch.getLogicalType();
        }
      }
      return null;
    }
    return s.getLogicalType();
  }
}
