package io.featurepipe.validation.check;

import io.featurepipe.validation.clock.Clock;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Which event times a record may have: at most {@code maxFuture} after now, at most {@code maxAge}
 * before now, and within [{@code notBefore}, {@code notAfter}) — each bound optional (null).
 * Defaults: at most one day in the future, by the machine's clock; no bound in the past (backfills
 * read old data: give them {@link #withRange}).
 *
 * <pre>{@code
 * TimeBounds.defaults().withMaxAge(Duration.ofDays(30));
 * TimeBounds.none().withRange(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-15T00:00:00Z"));
 * }</pre>
 */
public record TimeBounds(Duration maxFuture, Duration maxAge, Instant notBefore, Instant notAfter, Clock clock)
    implements Serializable {

  public TimeBounds {
    requireNonNegative(maxFuture, "maxFuture");
    requireNonNegative(maxAge, "maxAge");
    if (notBefore != null && notAfter != null && !notBefore.isBefore(notAfter)) {
      throw new IllegalArgumentException("time range is empty: " + notBefore + " is not before " + notAfter);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
  }

  public static TimeBounds defaults() {
    return new TimeBounds(Duration.ofDays(1), null, null, null, Clock.system());
  }

  /** No bound at all. */
  public static TimeBounds none() {
    return new TimeBounds(null, null, null, null, Clock.system());
  }

  public TimeBounds withMaxFuture(Duration d) {
    return new TimeBounds(d, maxAge, notBefore, notAfter, clock);
  }

  public TimeBounds withMaxAge(Duration d) {
    return new TimeBounds(maxFuture, d, notBefore, notAfter, clock);
  }

  /** Event times must be in [from, to); either may be null. */
  public TimeBounds withRange(Instant from, Instant to) {
    return new TimeBounds(maxFuture, maxAge, from, to, clock);
  }

  public TimeBounds withClock(Clock c) {
    return new TimeBounds(maxFuture, maxAge, notBefore, notAfter, c);
  }

  private static void requireNonNegative(Duration d, String name) {
    if (d != null && d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + d);
    }
  }
}
