package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.EntityDef;
import io.featurepipe.transforms.model.Field;
import io.featurepipe.transforms.model.Location;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Row keys: injective, prefixed by their entity, apart from metadata rows, reversible. */
class OnlineLayoutTest {
  private static final EntityDef PAIR = new EntityDef("user_item", "",
      List.of(Field.of("user", ColumnType.STRING), Field.of("item", ColumnType.STRING)), Location.NONE);
  private static final EntityDef MIXED = new EntityDef("mixed", "",
      List.of(Field.of("n", ColumnType.INT64), Field.of("d", ColumnType.DOUBLE),
          Field.of("b", ColumnType.BOOL), Field.of("t", ColumnType.TIMESTAMP)), Location.NONE);
  private static final EntityDef USER = new EntityDef("user", "", List.of(Field.of("user", ColumnType.STRING)), Location.NONE);
  private static final EntityDef USER_X = new EntityDef("user_x", "", List.of(Field.of("user", ColumnType.STRING)), Location.NONE);

  @Test
  void componentsThatLookAlikeNeverShareARow() {
    assertEquals("user_item#2:a#3:b#c", PAIR_KEY("a#", "b#c").toStringUtf8());
    List<List<Object>> tricky = List.of(
        List.of("a#", "b"), List.of("a", "#b"), List.of("a#b", ""), List.of("", "a#b"), List.of("1:a", "b"),
        List.of("1", ":ab"), List.of("2:ab", ""), List.of("", "2:ab"), List.of("a", "b"), List.of("ab", ""));
    Map<ByteString, List<Object>> seen = new HashMap<>();
    for (List<Object> k : tricky) {
      List<Object> before = seen.put(OnlineLayout.rowKey(PAIR, k), k);
      assertEquals(null, before, "collision of " + k + " and " + before);
      assertEquals(k, OnlineLayout.keyOf(PAIR, OnlineLayout.rowKey(PAIR, k)));
    }
  }

  private static ByteString PAIR_KEY(String a, String b) {
    return OnlineLayout.rowKey(PAIR, List.of(a, b));
  }

  @Test
  void randomKeysAreInjectiveAndReversible() {
    Random r = new Random(11);
    Map<ByteString, List<Object>> seen = new HashMap<>();
    for (int i = 0; i < 5000; i++) {
      List<Object> k = new ArrayList<>();
      k.add(randomText(r));
      k.add(randomText(r));
      ByteString row = OnlineLayout.rowKey(PAIR, k);
      List<Object> before = seen.put(row, k);
      assertTrue(before == null || before.equals(k), "collision of " + k + " and " + before);
      assertEquals(k, OnlineLayout.keyOf(PAIR, row));
      assertTrue(row.startsWith(ByteString.copyFromUtf8("user_item#")));
    }
    for (int i = 0; i < 1000; i++) {
      List<Object> k = List.of(r.nextLong(), CellValuesTest.randomScalar(r, ColumnType.DOUBLE), r.nextBoolean(), r.nextLong());
      List<Object> back = OnlineLayout.keyOf(MIXED, OnlineLayout.rowKey(MIXED, k));
      assertEquals(k.toString(), back.toString());
      assertEquals(Double.doubleToRawLongBits((Double) k.get(1)), Double.doubleToRawLongBits((Double) back.get(1)));
    }
  }

  private static String randomText(Random r) {
    String alphabet = "ab#:1 é\uD83D\uDE00";
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      b.appendCodePoint(alphabet.codePoints().toArray()[r.nextInt(alphabet.codePointCount(0, alphabet.length()))]);
    }
    return b.toString();
  }

  @Test
  void entitiesAndMetadataHaveDisjointPrefixes() {
    ByteString user = OnlineLayout.rowKey(USER, List.of("x_1"));
    ByteString userX = OnlineLayout.rowKey(USER_X, List.of("1"));
    assertFalse(userX.startsWith(ByteString.copyFromUtf8("user#")), "a prefix scan of user never reads user_x");
    assertFalse(user.startsWith(ByteString.copyFromUtf8("user_x#")));
    ByteString meta = OnlineLayout.metadataRow("user", "0a1b2c3d");
    assertEquals("_meta#user.v0a1b2c3d", meta.toStringUtf8());
    assertFalse(meta.startsWith(ByteString.copyFromUtf8("user#")));
    // entity names start with a letter, so every entity row sorts apart from the metadata rows
    assertTrue(ByteString.unsignedLexicographicalComparator().compare(meta, user) < 0);
  }

  @Test
  void badKeysAndTimesFailNamingWhat() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnlineLayout.rowKey(PAIR, List.of("a", 3L)));
    assertEquals("key column 'item' of entity 'user_item' is 3 (Long), not a string", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> OnlineLayout.rowKey(PAIR, List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> OnlineLayout.cellTimestamp(-1));
    assertEquals(1_767_225_600_000_000L, OnlineLayout.cellTimestamp(1_767_225_600_000L));
    assertEquals("user_spend.v1234abcd", OnlineLayout.family("user_spend", "1234abcd"));
    assertThrows(IllegalArgumentException.class, () -> OnlineLayout.family("g".repeat(60), "1234abcd"));
  }
}
