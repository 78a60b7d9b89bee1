package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-writer rule: the stream's and the batch writers' window ends never meet. */
class WriterOwnershipTest {
  private static final long H = 3_600_000L;

  @Test
  void streamOwnsFromItsStartPlusLongestWindowRoundedUpPlusOneHop() {
    WriterOwnership o = new WriterOwnership(H, 6 * H, 2 * H);
    assertEquals(7 * H, o.streamOwnsFrom(0)); // S + W on the grid: one hop more
    assertEquals(8 * H, o.streamOwnsFrom(1)); // just after: rounded up, then one hop
    assertEquals(8 * H, o.streamOwnsFrom(H - 1));
    assertFalse(o.streamOwns(7 * H - 1, 0));
    assertTrue(o.streamOwns(7 * H, 0));
  }

  @Test
  void aBatchWriterWritesAllWithoutStreamAndOnlyFinalEarlierOnesWithOne() {
    WriterOwnership o = new WriterOwnership(H, 6 * H, 2 * H);
    assertTrue(o.batchOwns(100 * H, null, null));
    assertTrue(o.batchOwns(100 * H, null, 3 * H));
    assertFalse(o.batchOwns(H, 0L, null), "with a stream and no watermark yet, nothing is final");
    assertTrue(o.batchOwns(5 * H, 0L, 10 * H));
    assertFalse(o.batchOwns(9 * H, 0L, 10 * H), "not final: within the lateness of M");
    assertFalse(o.batchOwns(7 * H, 0L, 100 * H), "the stream's");
  }

  @Test
  void noWindowEndHasTwoWriters() {
    Random r = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      long hop = (1 + r.nextInt(4)) * H;
      WriterOwnership o = new WriterOwnership(hop, hop * (1 + r.nextInt(8)), r.nextInt(5) * H);
      long s = r.nextInt(1000) * 60_000L;
      Long m = r.nextBoolean() ? null : (long) r.nextInt(40) * H;
      long e = r.nextInt(40) * hop;
      assertFalse(o.streamOwns(e, s) && o.batchOwns(e, s, m), "e=" + e + " S=" + s + " M=" + m + " " + o);
    }
  }
}
