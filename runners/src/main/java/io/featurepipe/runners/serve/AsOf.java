package io.featurepipe.runners.serve;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The time a read is as of ({@code --as-of}, {@code "as_of"}): an ISO-8601 instant with {@code Z}
 * or an offset, at up to nanosecond precision ({@code 2026-01-09T12:00:00.5Z}, {@code
 * 2026-01-09T13:00:00+01:00}), or a date meaning its first instant in UTC ({@code 2026-01-09}).
 * Times without a zone are refused: they would mean different instants on different machines.
 */
public final class AsOf {
  private AsOf() {}

  /** Epoch nanoseconds of a time as written; fails with a message naming the text. */
  public static long parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("as_of is empty: give an ISO-8601 time such as 2026-01-09T12:00:00Z");
    }
    String t = text.trim();
    Instant instant;
    try {
      if (t.length() == 10) {
        instant = LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else {
        instant = OffsetDateTime.parse(t).toInstant();
      }
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(
          "as_of '" + text + "' is not a time: give an ISO-8601 time with Z or an offset (2026-01-09T12:00:00Z,"
              + " 2026-01-09T13:00:00.250+01:00) or a date (2026-01-09, its start in UTC)");
    }
    return nanos(instant);
  }

  /** Epoch nanoseconds of an instant (full precision). */
  public static long nanos(Instant instant) {
    try {
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    } catch (ArithmeticException e) {
      throw new InvalidRequestException("as_of " + instant + " is outside the range of times featurepipe reads");
    }
  }

  /** An ISO-8601 instant of epoch nanoseconds. */
  public static String format(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
  }
}
