package io.featurepipe.transforms.decode;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
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
          long canonical = canonicalUtcNanos(s);
          return canonical != NOT_CANONICAL ? canonical : nanos(parseIso(s));
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
      throw new BadRecordException("'" + RecordDecoder.shown(text) + "' is not a " + format + " timestamp");
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

  /** {@link #canonicalUtcNanos}'s answer for text not in the canonical form. */
  static final long NOT_CANONICAL = Long.MIN_VALUE;

  /**
   * Epoch nanoseconds of text in the canonical UTC form {@code yyyy-MM-ddTHH:mm:ss[.f]Z} (1 to 9
   * fraction digits, years 1900 to 2200, every field in its range), or {@link #NOT_CANONICAL} for
   * any other text, which {@link #parseIso} then reads (or refuses) as before. The same instant
   * {@code Instant.parse} gives, read without a formatter: JDK 17's {@code Instant.parse} builds
   * a new formatter inside every call, costs many times a plain read of the digits and is slow to
   * warm up, and a job calls it once per event and spine row. Lowercase {@code t}/{@code z},
   * offsets, {@code 24:00}, leap seconds and other years go the long way.
   */
  static long canonicalUtcNanos(String s) {
    int n = s.length();
    if (n < 20 || n == 21 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z' || (n > 20 && s.charAt(19) != '.')) {
      return NOT_CANONICAL;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int fractionDigits = n > 20 ? n - 21 : 0;
    int fraction = fractionDigits == 0 ? 0 : digits(s, 20, fractionDigits);
    if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1
        || day > YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || fraction < 0) {
      return NOT_CANONICAL;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    long seconds = epochDay * 86_400L + hour * 3_600L + minute * 60L + second;
    long nanos = fraction;
    for (int i = fractionDigits; i < 9; i++) {
      nanos *= 10;
    }
    return seconds * 1_000_000_000L + nanos;
  }

  /** The value of {@code count} ASCII digits from {@code from}, or -1 when one is not a digit. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
      throw new BadRecordException("'" + RecordDecoder.shown(s) + "' is not an integer epoch timestamp");
    }
    return Math.multiplyExact(v, nanosPerUnit);
  }

  private static long nanos(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }
}
