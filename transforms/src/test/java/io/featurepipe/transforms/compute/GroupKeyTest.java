package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * A group key's encoding round-trips, is the same for equal keys, and stays the bytes a stream's
 * savepoints hold its window state under (pinned: a change of them must be deliberate). A batch
 * job's coder puts a hash of those bytes first.
 */
class GroupKeyTest {

  @Test
  void roundTripsAndEqualKeysEncodeEqually() throws Exception {
    for (GroupKey k : List.of(
        new GroupKey("user_amounts", List.of("u000123")),
        new GroupKey("g", List.of("a", 7L, true, 2.5)),
        new GroupKey("g", new ArrayList<>()))) {
      byte[] bytes = CoderUtils.encodeToByteArray(GroupKey.Coder.of(), k);
      assertEquals(k, CoderUtils.decodeFromByteArray(GroupKey.Coder.of(), bytes));
      assertArrayEquals(bytes, CoderUtils.encodeToByteArray(GroupKey.Coder.of(), new GroupKey(k.group(), new ArrayList<>(k.key()))));
    }
  }

  @Test
  void theBytesAreThoseSavepointsHold() throws Exception {
    assertEquals("0c757365725f616d6f756e74730502030775303030313233010e", HexFormat.of().formatHex(
        CoderUtils.encodeToByteArray(GroupKey.Coder.of(), new GroupKey("user_amounts", List.of("u000123", 7L)))));
  }

  @Test
  void aBatchJobsKeyIsTheSameBytesAfterTheirHash() throws Exception {
    for (GroupKey k : List.of(
        new GroupKey("user_amounts", List.of("u000123", 7L)),
        new GroupKey("g", List.of("a", 7L, true, 2.5)),
        new GroupKey("g", new ArrayList<>()))) {
      byte[] plain = CoderUtils.encodeToByteArray(GroupKey.Coder.of(), k);
      byte[] hashFirst = CoderUtils.encodeToByteArray(GroupKey.HashFirstCoder.of(), k);
      assertEquals(Hashing.murmur3_32_fixed().hashBytes(plain).asInt(), ByteBuffer.wrap(hashFirst).getInt());
      assertArrayEquals(plain, Arrays.copyOfRange(hashFirst, 4, hashFirst.length));
      assertEquals(k, CoderUtils.decodeFromByteArray(GroupKey.HashFirstCoder.of(), hashFirst));
      assertArrayEquals(hashFirst, CoderUtils.encodeToByteArray(
          GroupKey.HashFirstCoder.of(), new GroupKey(k.group(), new ArrayList<>(k.key()))));
    }
    // the point: keys of one group differ in their first bytes (the sort's normalized key)
    Set<Integer> firsts = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] b = CoderUtils.encodeToByteArray(
          GroupKey.HashFirstCoder.of(), new GroupKey("user_amounts", List.of(String.format("u%06d", i))));
      firsts.add(ByteBuffer.wrap(b).getInt());
    }
    assertTrue(firsts.size() > 9_980, firsts.size() + " distinct first four bytes of 10,000 keys");
  }
}
