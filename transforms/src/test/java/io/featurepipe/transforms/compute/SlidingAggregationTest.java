package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.aggregate.Accumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Windows slide over tiles with amortised O(1) merges, whatever their length. */
class SlidingAggregationTest {

  /** A sum that counts the merges and copies done to it. */
  static final class CountingSum implements Accumulator {
    static long merges;
    long sum;

    CountingSum(long sum) {
      this.sum = sum;
    }

    @Override
    public void add(Object value, long eventTimeNanos) {
      sum += (Long) value;
    }

    @Override
    public void mergeFrom(Accumulator other) {
      merges++;
      sum += ((CountingSum) other).sum;
    }

    @Override
    public Object result() {
      return sum;
    }

    @Override
    public Accumulator copy() {
      merges++;
      return new CountingSum(sum);
    }
  }

  @Test
  void slidingCostsAConstantNumberOfMergesPerHopWhateverTheWindow() {
    for (int window : new int[] {1, 24, 168, 720}) {
      CountingSum.merges = 0;
      SlidingAggregation s = new SlidingAggregation();
      List<Long> tiles = new ArrayList<>();
      Random rnd = new Random(window);
      int hops = 5000;
      for (int e = 1; e <= hops; e++) {
        long v = rnd.nextInt(100);
        tiles.add(v);
        s.push(e - 1, new CountingSum(v));
        s.dropBefore(e - window);
        long expected = 0;
        for (int t = Math.max(0, e - window); t < e; t++) {
          expected += tiles.get(t);
        }
        assertEquals(expected, s.result(0L), "window " + window + " at " + e);
      }
      double perHop = (double) CountingSum.merges / hops;
      assertTrue(perHop <= 5.0, "window " + window + ": " + perHop + " merges per hop");
    }
  }

  @Test
  void gapsAndEmptyWindows() {
    SlidingAggregation s = new SlidingAggregation();
    assertTrue(s.isEmpty());
    assertEquals("none", s.result("none"));
    s.push(10, new CountingSum(5));
    s.push(30, new CountingSum(7));
    s.dropBefore(11);
    assertEquals(7L, s.result(0L));
    s.dropBefore(31);
    assertTrue(s.isEmpty());
    assertEquals(0L, s.result(0L));
    s.push(40, new CountingSum(1));
    assertEquals(1L, s.result(0L));
  }

  @Test
  void aWindowWhoseTilesDidNotChangeKeepsItsResultWithoutMerging() {
    for (int window : new int[] {1, 3, 24, 168}) {
      SlidingAggregation s = new SlidingAggregation();
      Random rnd = new Random(window);
      List<long[]> tiles = new ArrayList<>(); // {start, value}
      int unchangedHops = 0;
      for (int e = 1; e <= 3000; e++) {
        int before = tiles.size();
        if (rnd.nextInt(10) < 3) { // a sparse key: most hops bring no tile
          long v = rnd.nextInt(100);
          tiles.add(new long[] {e - 1, v});
          s.push(e - 1, new CountingSum(v));
        }
        final int end = e;
        boolean left = tiles.stream().anyMatch(t -> t[0] == end - 1 - window);
        s.dropBefore(e - window);
        long mergesBefore = CountingSum.merges;
        Object result = s.result(0L);
        long expected = tiles.stream().filter(t -> t[0] >= end - window).mapToLong(t -> t[1]).sum();
        assertEquals(expected, result, "window " + window + " at " + e);
        if (tiles.size() == before && !left) {
          unchangedHops++;
          assertEquals(mergesBefore, CountingSum.merges, "window " + window + " at " + e + ": merged again");
        }
      }
      assertTrue(unchangedHops > 500, "window " + window + ": " + unchangedHops + " unchanged hops");
      // another empty value is answered, not the one kept
      SlidingAggregation empty = new SlidingAggregation();
      assertEquals("none", empty.result("none"));
      assertEquals(0L, empty.result(0L));
    }
  }
}
