package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The filter of asked buckets never drops an asked one, rarely keeps another, and is the same in any order. */
class BucketFilterTest {

  static List<Bucket> buckets(int n, int seed) {
    Random rnd = new Random(seed);
    List<Bucket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Object> key = rnd.nextBoolean() ? List.of("u" + rnd.nextInt(1_000_000)) : List.of((long) rnd.nextInt(1_000_000), "m" + i);
      out.add(new Bucket(rnd.nextInt(3), key, 20_000 + rnd.nextInt(400), 0));
    }
    return out;
  }

  static BucketFilter build(List<Bucket> buckets) {
    BucketFilter.Build fn = new BucketFilter.Build();
    // two partial accumulators merged, as a runner does
    BucketFilter.Hashes a = fn.createAccumulator();
    BucketFilter.Hashes b = fn.createAccumulator();
    for (int i = 0; i < buckets.size(); i++) {
      (i % 2 == 0 ? a : b).add(BucketFilter.hash(buckets.get(i)));
    }
    return fn.extractOutput(fn.mergeAccumulators(List.of(a, b)));
  }

  static byte[] bytes(BucketFilter f) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BucketFilter.Coder.INSTANCE.encode(f, out);
    return out.toByteArray();
  }

  @Test
  void holdsEveryBucketItWasBuiltFromWhateverTheSaltAndFewOthers() {
    List<Bucket> asked = buckets(20_000, 1);
    BucketFilter f = build(asked);
    for (Bucket b : asked) {
      assertTrue(f.mightHold(b), "an asked bucket is held: " + b);
      assertTrue(f.mightHold(b.withSalt(7)), "whatever its salt: " + b);
    }
    int kept = 0;
    for (Bucket b : buckets(20_000, 2)) {
      if (!asked.contains(b) && f.mightHold(b)) {
        kept++;
      }
    }
    assertTrue(kept < 20_000 * 3 / 100, "about 1% false positives, not " + kept);
  }

  @Test
  void anEmptyFilterHoldsNothing() {
    BucketFilter f = build(List.of());
    assertFalse(f.mightHold(new Bucket(0, List.of("u1"), 20_000, 0)));
  }

  @Test
  void theSameBucketsGiveTheSameFilterInAnyOrder() throws Exception {
    List<Bucket> asked = buckets(5_000, 3);
    byte[] first = bytes(build(asked));
    Collections.shuffle(asked, new Random(4));
    assertArrayEquals(first, bytes(build(asked)));
    BucketFilter decoded = BucketFilter.Coder.INSTANCE.decode(new java.io.ByteArrayInputStream(first));
    assertArrayEquals(first, bytes(decoded));
    assertTrue(decoded.mightHold(asked.get(0)));
  }
}
