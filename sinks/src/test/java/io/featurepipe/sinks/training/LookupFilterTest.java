package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The filter of a spine's lookups never drops one of them (the join would give it empty values),
 * rarely keeps another, and is the same bits whatever the order and grouping of its input.
 */
class LookupFilterTest {
  record Lookup(int group, List<Object> key, long windowEnd) {
    long hash() {
      return LookupFilter.hash(group, key, windowEnd);
    }

    boolean in(LookupFilter f) {
      return f.mightHold(group, key, windowEnd);
    }
  }

  static List<Lookup> lookups(int n, int seed) {
    Random rnd = new Random(seed);
    List<Lookup> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Object> key = rnd.nextBoolean()
          ? List.of("u" + rnd.nextInt(1_000_000))
          : List.of((long) rnd.nextInt(1_000_000), "m" + rnd.nextInt(100));
      out.add(new Lookup(rnd.nextInt(3), key, 1_767_225_600_000L + rnd.nextInt(10_000) * 3_600_000L));
    }
    return out;
  }

  /**
   * Built as a runner does: partial hashes of parts of the input (the same lookup many times, in
   * several parts), added to accumulators, merged.
   */
  static LookupFilter build(List<Lookup> lookups) {
    LookupFilter.Hashes a = LookupFilter.Hashes.empty();
    LookupFilter.Hashes b = LookupFilter.Hashes.empty();
    LookupFilter.Hashes c = LookupFilter.Hashes.empty();
    for (int i = 0; i < lookups.size(); i++) {
      LookupFilter.Hashes part = i % 3 == 0 ? a : i % 3 == 1 ? b : c;
      part.add(lookups.get(i).hash());
      if (i % 5 == 0) {
        b.add(lookups.get(i).hash());
      }
    }
    LookupFilter.Build fn = new LookupFilter.Build();
    LookupFilter.Hashes first = fn.addInput(fn.addInput(fn.createAccumulator(), a.compact()), b.compact());
    LookupFilter.Hashes second = fn.addInput(fn.createAccumulator(), c.compact());
    return fn.extractOutput(fn.mergeAccumulators(List.of(first, second)));
  }

  static byte[] bytes(LookupFilter f) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LookupFilter.Coder.INSTANCE.encode(f, out);
    return out.toByteArray();
  }

  @Test
  void holdsEveryLookupItWasBuiltFromAndFewOthers() {
    List<Lookup> asked = lookups(20_000, 1);
    LookupFilter f = build(asked);
    for (Lookup l : asked) {
      assertTrue(l.in(f), "a lookup of the spine is held: " + l);
    }
    int kept = 0;
    int others = 0;
    for (Lookup l : lookups(20_000, 2)) {
      if (!asked.contains(l)) {
        others++;
        kept += l.in(f) ? 1 : 0;
      }
    }
    assertTrue(kept < others * 3 / 100, "about 1% false positives, not " + kept + " of " + others);
    int nextHour = 0;
    for (Lookup l : asked.subList(0, 1000)) {
      nextHour += new Lookup(l.group(), l.key(), l.windowEnd() + 3_600_000L).in(f) ? 1 : 0;
    }
    assertTrue(nextHour < 30, "the window end is part of the lookup: " + nextHour + " of 1,000 next hours held");
  }

  @Test
  void anEmptyFilterHoldsNothing() {
    assertFalse(build(List.of()).mightHold(0, List.of("u1"), 0));
  }

  @Test
  void theSameLookupsGiveTheSameFilterInAnyOrder() throws Exception {
    List<Lookup> asked = lookups(5_000, 3);
    byte[] first = bytes(build(asked));
    Collections.shuffle(asked, new Random(4));
    assertArrayEquals(first, bytes(build(asked)));
    LookupFilter decoded = LookupFilter.Coder.INSTANCE.decode(new ByteArrayInputStream(first));
    assertArrayEquals(first, bytes(decoded));
    assertTrue(asked.get(0).in(decoded));
  }

  @Test
  void aLookupMadeByManySpineRowsIsKeptOnce() {
    LookupFilter.Hashes acc = LookupFilter.Hashes.empty();
    long h = new Lookup(0, List.of("u1"), 0).hash();
    for (int i = 0; i < 1_000_000; i++) {
      acc = acc.add(h);
    }
    assertTrue(acc.capacity() <= 32, "a million spine rows of one lookup hold " + acc.capacity() + " hashes");
    LookupFilter.Build fn = new LookupFilter.Build();
    assertTrue(fn.extractOutput(fn.addInput(fn.createAccumulator(), acc)).mightHold(0, List.of("u1"), 0));
  }

  @Test
  void pastTheLimitEveryRowPasses() throws Exception {
    LookupFilter.Build fn = new LookupFilter.Build();
    LookupFilter f = fn.extractOutput(fn.mergeAccumulators(List.of(fn.createAccumulator(), LookupFilter.Hashes.SATURATED)));
    assertTrue(f.mightHold(2, List.of("anything"), 123));
    LookupFilter decoded = LookupFilter.Coder.INSTANCE.decode(new ByteArrayInputStream(bytes(f)));
    assertTrue(decoded.mightHold(1, List.of("u7"), 42));
    assertTrue(LookupFilter.Hashes.SATURATED.add(5L).saturated());
    assertTrue(fn.addInput(fn.createAccumulator(), LookupFilter.Hashes.SATURATED).saturated(), "a saturated part saturates the whole");
  }
}
