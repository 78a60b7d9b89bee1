package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.hash.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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

  @Test
  void runsOfOneValueCountAsTheSameValuesInAnyOrder() throws IOException {
    // feature rows bring a key's value many times in a row; the sample must not depend on that,
    // also when its level rises in the middle of a run (capacity 8, 60 distinct values)
    Random random = new Random(11);
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String v = "u" + random.nextInt(60);
      for (int n = random.nextInt(5); n >= 0; n--) {
        runs.add(v);
      }
    }
    List<String> shuffled = new ArrayList<>(runs);
    Collections.shuffle(shuffled, random);
    DistinctValueSample inRuns = new DistinctValueSample(8);
    runs.forEach(inRuns::add);
    DistinctValueSample inAnyOrder = new DistinctValueSample(8);
    shuffled.forEach(inAnyOrder::add);
    DistinctValueSample oneByOne = new DistinctValueSample(8);
    for (String v : runs) {
      DistinctValueSample single = new DistinctValueSample(8);
      single.add(v);
      oneByOne.merge(single);
    }
    assertEquals(bytes(inAnyOrder), bytes(inRuns));
    assertEquals(bytes(oneByOne), bytes(inRuns));
    assertNotEquals(0.0, 1.0 - inRuns.sampleRate(), "the level rose: the test covers the sampled adds");
    // and a run that goes on after a merge raised the level counts only what the level keeps
    DistinctValueSample continued = new DistinctValueSample(8);
    continued.add("u1");
    continued.merge(inRuns);
    continued.add("u1");
    DistinctValueSample expected = new DistinctValueSample(8);
    expected.merge(inRuns);
    expected.add("u1");
    expected.add("u1");
    assertEquals(bytes(expected), bytes(continued));
  }

  private static List<Byte> bytes(DistinctValueSample sample) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sample.write(new DataOutputStream(out));
    List<Byte> list = new ArrayList<>();
    for (byte b : out.toByteArray()) {
      list.add(b);
    }
    return list;
  }
}
