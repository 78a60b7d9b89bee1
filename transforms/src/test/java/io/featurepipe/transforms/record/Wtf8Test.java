package io.featurepipe.transforms.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Strings with and without unpaired surrogates: where the first one is, and the bytes round trip. */
class Wtf8Test {

  /** A random string of UTF-16 units drawn mostly from around the surrogate range. */
  private static String randomUnits(Random r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.append(switch (r.nextInt(4)) {
        case 0 -> (char) ('a' + r.nextInt(3));
        case 1 -> (char) (0xD800 + r.nextInt(0x400)); // high surrogate
        case 2 -> (char) (0xDC00 + r.nextInt(0x400)); // low surrogate
        default -> (char) r.nextInt(0x10000);
      });
    }
    return b.toString();
  }

  /** The first code point Java's own iteration yields in the surrogate range: a surrogate no other one pairs. */
  private static int referenceIndex(String s) {
    for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
      int cp = s.codePointAt(i);
      if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void theFirstUnpairedSurrogateIsFoundWhereJavasCodePointsSeeIt() {
    assertEquals(-1, Wtf8.unpairedSurrogate(""));
    assertEquals(-1, Wtf8.unpairedSurrogate("a\ud83d\ude00b"));
    assertEquals(1, Wtf8.unpairedSurrogate("a\ud83d"));
    assertEquals(0, Wtf8.unpairedSurrogate("\ude00\ud83d"));
    assertEquals(2, Wtf8.unpairedSurrogate("\ud83d\ude00\ude00"));
    assertEquals(0, Wtf8.unpairedSurrogate("\ud800\ud83d\ude00"));
    Random r = new Random(17);
    int unpaired = 0;
    for (int i = 0; i < 100_000; i++) {
      String s = randomUnits(r);
      int at = Wtf8.unpairedSurrogate(s);
      assertEquals(referenceIndex(s), at, s);
      // exactly the strings UTF-8 cannot carry: they come back changed from it
      assertEquals(at < 0, s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)), s);
      assertEquals(s, Wtf8.decode(Wtf8.encode(s)), s);
      if (at < 0) {
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), Wtf8.encode(s), s);
      } else {
        unpaired++;
      }
    }
    // the draw reaches both kinds often
    assertEquals(true, unpaired > 20_000 && unpaired < 80_000, "unpaired: " + unpaired);
  }
}
