package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A group's hot-key threshold leaves room within a bucket's 10,000 elements of state for its offline rows. */
class HotKeyThresholdTest {

  @Test
  void aBucketAtTheThresholdWithAllItsOfflineRowsFitsTheGroupInMemory() {
    for (long hops : new long[] {31, 744, 1_440, 2_976}) {
      long t = JoinSteps.threshold(10_000, hops);
      assertTrue(t + hops + JoinSteps.SALT_MARGIN <= JoinSteps.GROUP_IN_MEMORY, hops + " hops: " + t);
    }
    assertEquals(8_756, JoinSteps.threshold(10_000, 744), "an hourly hop, by month");
    assertEquals(8_060, JoinSteps.threshold(10_000, 1_440), "a one-minute hop, by date");
  }

  @Test
  void aLowerThresholdAskedForIsKeptAndVeryShortHopsStopAtTheFloor() {
    assertEquals(40, JoinSteps.threshold(40, 744));
    assertEquals(JoinSteps.MIN_THRESHOLD, JoinSteps.threshold(10_000, 86_400), "a 1 s hop: 86,400 a day");
    assertEquals(5, JoinSteps.threshold(5, 86_400));
  }
}
