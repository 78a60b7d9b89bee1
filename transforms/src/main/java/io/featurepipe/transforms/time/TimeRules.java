package io.featurepipe.transforms.time;

import java.time.Duration;

/**
 * The time rules of DESIGN §3 as plain functions, shared by the pipelines, the offline join and the
 * online reader so that they cannot disagree.
 *
 * <p>Window ends are multiples of the hop counted from the UTC epoch. The window of length {@code W}
 * ending at {@code e} holds the events with {@code e - W <= ts < e}. Because {@code e} is a whole
 * number of milliseconds, comparing the full-precision event time or its millisecond floor (the
 * Beam timestamp) gives the same answer.
 */
public final class TimeRules {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private TimeRules() {}

  /** The start of the hop (tile) holding an event at {@code tsMillis}. */
  public static long hopStart(long tsMillis, long hopMillis) {
    return Math.floorDiv(tsMillis, hopMillis) * hopMillis;
  }

  /** The end of the hop holding an event at {@code tsMillis}: the first window end that contains it. */
  public static long hopEnd(long tsMillis, long hopMillis) {
    return hopStart(tsMillis, hopMillis) + hopMillis;
  }

  /**
   * The window end whose values are visible as of time {@code t}:
   * {@code e(t) = floor((t - availability_delay) / hop) * hop}, with {@code t} at full precision.
   */
  public static long windowEndAsOf(long tNanos, Duration availabilityDelay, long hopMillis) {
    long shifted = tNanos - availabilityDelay.toNanos();
    long hopNanos = hopMillis * NANOS_PER_MILLI;
    return Math.floorDiv(shifted, hopNanos) * hopMillis;
  }

  /** Whether the window of length {@code windowMillis} ending at {@code endMillis} holds {@code tsNanos}. */
  public static boolean windowContains(long endMillis, long windowMillis, long tsNanos) {
    long ts = Math.floorDiv(tsNanos, NANOS_PER_MILLI);
    return endMillis - windowMillis <= ts && ts < endMillis;
  }

  /**
   * Whether an event is too late (DESIGN §3): its hop ended {@code allowed_lateness} or more before
   * the watermark.
   */
  public static boolean isTooLate(
      long tsMillis, long hopMillis, long allowedLatenessMillis, long watermarkMillis) {
    return hopEnd(tsMillis, hopMillis) + allowedLatenessMillis <= watermarkMillis;
  }

  /** Milliseconds of a duration, refusing sub-millisecond remainders (hops and windows are whole ms). */
  public static long millis(Duration d) {
    if (d.toNanos() % NANOS_PER_MILLI != 0) {
      throw new IllegalArgumentException(d + " is not a whole number of milliseconds");
    }
    return d.toMillis();
  }
}
