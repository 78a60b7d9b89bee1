package io.featurepipe.transforms.definitions;

import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in definitions (and in command-line options that take one): an integer and
 * a unit, {@code 500ms 90s 1m 1h 2d 1w}.
 */
public final class Durations {
  private Durations() {}

  private static final Pattern DURATION = Pattern.compile("(-?[0-9]+)(ms|s|m|h|d|w)");

  /**
   * Parses a duration; a leading minus is read (so that the caller can say "must not be negative").
   *
   * @throws IllegalArgumentException with a message for the user
   */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a duration: write an integer and a unit (ms, s, m, h, d or w), e.g. 90s"
              + " or 1h");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        case "d":
          return Duration.ofDays(n);
        default:
          return ChronoUnit.WEEKS.getDuration().multipliedBy(n);
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
  }

  /** Whether {@code d} is a whole multiple of {@code unit} (both positive). */
  static boolean isMultiple(Duration d, Duration unit) {
    return nanos(d).mod(nanos(unit)).signum() == 0;
  }

  private static BigInteger nanos(Duration d) {
    return BigInteger.valueOf(d.getSeconds())
        .multiply(BigInteger.valueOf(1_000_000_000L))
        .add(BigInteger.valueOf(d.getNano()));
  }
}
