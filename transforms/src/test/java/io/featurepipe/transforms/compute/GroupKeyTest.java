package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * A group key's encoding round-trips, is the same for equal keys, and starts with a hash that
 * tells apart keys a sort meets: ids that share a long prefix, in one group.
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
  void theSortPrefixIsTheSameInEveryJvm() {
    // from the hash codes Java specifies: pinned, so a change of the encoding is seen
    assertEquals(671_163_256, GroupKey.Coder.sortPrefix(new GroupKey("user_amounts", List.of("u000123"))));
    assertEquals(-343_924_500, GroupKey.Coder.sortPrefix(new GroupKey("g", List.of("a", 7L, true, 2.5))));
  }

  @Test
  void theFirstBytesTellApartIdsOfOneGroup() throws Exception {
    Set<Integer> firstBytes = new HashSet<>();
    Set<Long> firstFour = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] b = CoderUtils.encodeToByteArray(GroupKey.Coder.of(), new GroupKey("user_amounts", List.of(String.format("u%06d", i))));
      firstBytes.add(b[0] & 0xff);
      firstFour.add(((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
    }
    assertEquals(256, firstBytes.size());
    assertTrue(firstFour.size() > 9_980, firstFour.size() + " distinct first four bytes of 10,000 keys");
  }
}
