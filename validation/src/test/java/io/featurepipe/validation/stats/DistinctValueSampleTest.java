package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistinctValueSampleTest {

  @Test
  void aWellFormedValueHashesAsItsUtf16LittleEndianBytes() {
    // the sample keeps the values it kept when the hash was taken over the UTF-16LE encoding
    for (String v : List.of("", "u0042", "Zürich", "東京", "pay 💳", "m001")) {
      assertEquals(
          Hashing.murmur3_128(0x5BE0CD19).hashString(v, StandardCharsets.UTF_16LE).asLong(),
          DistinctValueSample.hash(v),
          v);
    }
    // an unpaired surrogate is hashed as it is: two of them are two values, not both U+FFFD
    assertNotEquals(DistinctValueSample.hash("a\uD800"), DistinctValueSample.hash("a\uDC00"));
  }
}
