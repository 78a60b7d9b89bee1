package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A group's hot-key threshold leaves room in Beam's in-memory group for a day of its offline rows. */
class HotKeyThresholdTest {
  private static final long HOUR = 3_600_000L;

  @Test
  void aBucketAtTheThresholdWithADayOfOfflineRowsFitsTheGroupInMemory() {
    for (long hop : new long[] {60_000L, 15 * 60_000L, HOUR, 24 * HOUR}) {
      long t = JoinSteps.threshold(10_000, hop);
      long hopsPerDay = (24 * HOUR + hop - 1) / hop;
      assertTrue(t + hopsPerDay + JoinSteps.SALT_MARGIN <= JoinSteps.GROUP_IN_MEMORY, "hop " + hop + ": " + t);
    }
    assertEquals(9_476, JoinSteps.threshold(10_000, HOUR));
    assertEquals(8_060, JoinSteps.threshold(10_000, 60_000L));
  }

  @Test
  void aLowerThresholdAskedForIsKeptAndVeryShortHopsStopAtTheFloor() {
    assertEquals(40, JoinSteps.threshold(40, HOUR));
    assertEquals(JoinSteps.MIN_THRESHOLD, JoinSteps.threshold(10_000, 1_000L), "a 1 s hop: 86,400 a day");
    assertEquals(5, JoinSteps.threshold(5, 1_000L));
  }
}
