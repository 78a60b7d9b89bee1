package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * A group key's encoding round-trips, is the same for equal keys, and stays the bytes a stream's
 * savepoints hold its window state under (pinned: a change of them must be deliberate).
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
}
