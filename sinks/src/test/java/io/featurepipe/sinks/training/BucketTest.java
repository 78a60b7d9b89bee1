package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * A bucket's encoding round-trips, is the same for equal buckets, and starts with a hash of the
 * rest, so that the buckets of one join step differ in the first bytes Flink's batch sort compares.
 */
class BucketTest {
  private static final long JANUARY_2026 = 20_454; // epoch day of 2026-01-01

  @Test
  void roundTripsAndEqualBucketsEncodeEquallyAfterAHashOfTheRest() throws Exception {
    for (Bucket b : List.of(
        new Bucket(0, List.of("u000123"), JANUARY_2026, 0),
        new Bucket(1, List.of("a", 7L, true, 2.5), JANUARY_2026 + 31, 3),
        new Bucket(2, new ArrayList<>(), -5, 0))) {
      byte[] bytes = CoderUtils.encodeToByteArray(Bucket.Coder.of(), b);
      assertEquals(b, CoderUtils.decodeFromByteArray(Bucket.Coder.of(), bytes));
      assertArrayEquals(bytes, CoderUtils.encodeToByteArray(
          Bucket.Coder.of(), new Bucket(b.group(), new ArrayList<>(b.key()), b.period(), b.salt())));
      assertEquals(Hashing.murmur3_32_fixed().hashBytes(Arrays.copyOfRange(bytes, 4, bytes.length)).asInt(),
          ByteBuffer.wrap(bytes).getInt(), "the first four bytes hash the rest");
      assertEquals(bytes.length - 5, bytes[4], "then the length of the fields (a one-byte varint here)");
      // encoded again, from the bytes a bucket keeps: the same bytes, fresh or decoded, and decoded equal
      assertArrayEquals(bytes, CoderUtils.encodeToByteArray(Bucket.Coder.of(), b));
      Bucket decoded = CoderUtils.decodeFromByteArray(Bucket.Coder.of(), bytes);
      assertArrayEquals(bytes, CoderUtils.encodeToByteArray(Bucket.Coder.of(), decoded));
      assertEquals(b.hashCode(), decoded.hashCode());
      assertEquals(b.withSalt(b.salt() + 1).salt(), b.salt() + 1);
      assertTrue(!Arrays.equals(bytes, CoderUtils.encodeToByteArray(Bucket.Coder.of(), decoded.withSalt(b.salt() + 1))),
          "another salt, other bytes (nothing kept from the bucket it came from)");
    }
    byte[] corrupt = CoderUtils.encodeToByteArray(Bucket.Coder.of(), new Bucket(0, List.of("u1"), JANUARY_2026, 0));
    corrupt[4] = 0x7f; // a length past the bytes there are
    assertThrows(Exception.class, () -> CoderUtils.decodeFromByteArray(Bucket.Coder.of(), corrupt));
  }

  @Test
  void theBucketsOfOneStepDifferInTheirFirstBytes() throws Exception {
    Set<Integer> firsts = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      Bucket b = new Bucket(0, List.of(String.format("u%06d", i / 2)), JANUARY_2026 + 31 * (i % 2), 0);
      firsts.add(ByteBuffer.wrap(CoderUtils.encodeToByteArray(Bucket.Coder.of(), b)).getInt());
    }
    assertTrue(firsts.size() > 9_980, firsts.size() + " distinct first four bytes of 10,000 buckets");
  }
}
