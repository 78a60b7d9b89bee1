package io.featurepipe.transforms.decode;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;

/**
 * Reads event times as a source's {@code timestamp_format} says, at full precision, into epoch
 * nanoseconds: {@code iso8601} (with {@code Z}, an offset, or no zone meaning UTC),
 * {@code epoch_seconds}, {@code epoch_millis}, {@code epoch_micros} (integers, or numeric text), or
 * a {@link DateTimeFormatter} pattern read as UTC.
 */
public final class TimestampParser implements Serializable {
  private final String format;
  private transient DateTimeFormatter pattern;

  public TimestampParser(String format) {
    this.format = format;
  }

  /** Whether a format is one this parser understands (a known word or a valid pattern). */
  public static boolean isValidFormat(String format) {
    switch (format) {
      case "iso8601":
      case "epoch_seconds":
      case "epoch_millis":
      case "epoch_micros":
        return true;
      default:
        try {
          DateTimeFormatter.ofPattern(format);
          return true;
        } catch (IllegalArgumentException e) {
          return false;
        }
    }
  }

  /** Parses text (or a number's text) into epoch nanoseconds. */
  public long parse(String text) throws BadRecordException {
    String s = text.trim();
    try {
      switch (format) {
        case "iso8601":
          return nanos(parseIso(s));
        case "epoch_seconds":
          return scaled(s, 1_000_000_000L);
        case "epoch_millis":
          return scaled(s, 1_000_000L);
        case "epoch_micros":
          return scaled(s, 1_000L);
        default:
          if (pattern == null) {
            pattern = DateTimeFormatter.ofPattern(format).withZone(ZoneOffset.UTC);
          }
          TemporalAccessor t = pattern.parse(s);
          return nanos(ZonedDateTime.from(t).toInstant());
      }
    } catch (DateTimeException | ArithmeticException e) {
      throw new BadRecordException("'" + text + "' is not a " + format + " timestamp");
    }
  }

  /** Parses a number (from JSON or Avro) given in the source's epoch unit. */
  public long fromNumber(long value) throws BadRecordException {
    switch (format) {
      case "epoch_seconds":
        return Math.multiplyExact(value, 1_000_000_000L);
      case "epoch_millis":
        return Math.multiplyExact(value, 1_000_000L);
      case "epoch_micros":
        return Math.multiplyExact(value, 1_000L);
      default:
        throw new BadRecordException(
            "a number (" + value + ") where a " + format + " timestamp string was expected");
    }
  }

  /**
   * The inverse of {@link #fromNumber}: epoch nanoseconds as a number in the source's epoch unit
   * (floored). Fails for a format that is not an epoch unit.
   */
  public long toNumber(long nanos) {
    return switch (format) {
      case "epoch_seconds" -> Math.floorDiv(nanos, 1_000_000_000L);
      case "epoch_millis" -> Math.floorDiv(nanos, 1_000_000L);
      case "epoch_micros" -> Math.floorDiv(nanos, 1_000L);
      default -> throw new IllegalArgumentException("timestamp format " + format + " is not an epoch unit");
    };
  }

  private static Instant parseIso(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeException e) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeException e2) {
        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
      }
    }
  }

  private static long scaled(String s, long nanosPerUnit) throws BadRecordException {
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new BadRecordException("'" + s + "' is not an integer epoch timestamp");
    }
    return Math.multiplyExact(v, nanosPerUnit);
  }

  private static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
