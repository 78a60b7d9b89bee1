package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.hash.Hashing;
import io.featurepipe.transforms.aggregate.ValueOrdering;
import io.featurepipe.transforms.record.ValueCodec;
import io.featurepipe.transforms.record.Wtf8;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
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

  /**
   * Against a model of what the sample promises: the level is the smallest at which the distinct
   * values of everything added qualify within the capacity, and the kept values are exactly those,
   * with exact counts, whether added one by one or through merges of parts; every add returns its
   * value's shape (WTF-8 length, unpaired surrogate).
   */
  @Test
  void keepsWhatTheModelKeepsAndReturnsEveryValuesShape() throws IOException {
    Random random = new Random(7);
    // "Aa" and "BB" share a String.hashCode
    String[] odd = {"Aa", "BB", "Zürich", "東京", "pay 💳", "a\uD800", "\uDC00b", "", "x\uD83D\uDCB3y"};
    for (int round = 0; round < 40; round++) {
      int capacity = 1 + random.nextInt(64);
      int distinct = 1 + random.nextInt(400);
      List<String> adds = new ArrayList<>();
      for (int i = random.nextInt(3000); i >= 0; i--) {
        int v = random.nextInt(distinct);
        adds.add(v < odd.length ? odd[v] : "v" + (v * 7919 % 100_003));
      }
      TreeMap<String, Long> counts = new TreeMap<>();
      long lengths = 0, unpaired = 0;
      for (String v : adds) {
        counts.merge(v, 1L, Long::sum);
        lengths += Wtf8.length(v);
        unpaired += new String(v.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(v) ? 0 : 1;
      }
      int level = 0;
      while (qualifying(counts.keySet(), level) > capacity) {
        level++;
      }
      ByteArrayOutputStream model = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(model);
      ValueCodec.writeVarLong(level, out);
      List<String> kept = new ArrayList<>();
      for (String v : counts.keySet()) {
        if (qualifies(v, level)) {
          kept.add(v);
        }
      }
      kept.sort(ValueOrdering::compareStrings);
      ValueCodec.writeVarLong(kept.size(), out);
      for (String v : kept) {
        ValueCodec.writeString(v, out);
        ValueCodec.writeVarLong(counts.get(v), out);
      }

      DistinctValueSample whole = new DistinctValueSample(capacity);
      DistinctValueSample merged = new DistinctValueSample(capacity);
      DistinctValueSample part = new DistinctValueSample(capacity);
      long shapeLengths = 0, shapeUnpaired = 0;
      for (String v : adds) {
        long shape = whole.add(v);
        shapeLengths += shape >>> 1;
        shapeUnpaired += shape & 1;
        part.add(v);
        if (random.nextInt(200) == 0) {
          merged.merge(random.nextBoolean() ? part : DistinctValueSample.read(capacity, in(part)));
          part = new DistinctValueSample(capacity);
        }
      }
      merged.merge(part);
      String round_ = "round " + round + ", capacity " + capacity + ", " + counts.size() + " distinct";
      assertEquals(toList(model.toByteArray()), bytes(whole), round_);
      assertEquals(toList(model.toByteArray()), bytes(merged), round_);
      assertEquals(toList(model.toByteArray()), bytes(whole.copy()), round_);
      assertEquals(lengths, shapeLengths, round_);
      assertEquals(unpaired, shapeUnpaired, round_);
      assertEquals(kept.size(), whole.ranked().size(), round_);
    }
  }

  @Test
  void aValueAddedAgainAfterAMergeGrewTheTableCountsOnce() throws IOException {
    // a merge of new values moves every slot when the table grows; the value added last must not
    // keep its old slot (capacity far above the values: no level rises to hide it)
    DistinctValueSample sample = new DistinctValueSample(16_384);
    sample.add("x");
    DistinctValueSample others = new DistinctValueSample(16_384);
    for (int i = 0; i < 40; i++) {
      others.add("v" + i);
    }
    sample.merge(others);
    sample.add("x");
    DistinctValueSample expected = new DistinctValueSample(16_384);
    expected.merge(others);
    expected.add("x");
    expected.add("y");
    expected.add("x");
    DistinctValueSample withY = sample.copy();
    withY.add("y");
    assertEquals(bytes(expected), bytes(withY));
    assertEquals(2L, sample.ranked().stream().filter(e -> e.getKey().equals("x")).findFirst().orElseThrow().getValue());
  }

  private static long qualifying(Set<String> values, int level) {
    return values.stream().filter(v -> qualifies(v, level)).count();
  }

  private static boolean qualifies(String v, int level) {
    return level == 0 || DistinctValueSample.hash(v) >>> (64 - level) == 0;
  }

  private static DataInputStream in(DistinctValueSample sample) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sample.write(new DataOutputStream(out));
    return new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
  }

  private static List<Byte> toList(byte[] bytes) {
    List<Byte> list = new ArrayList<>();
    for (byte b : bytes) {
      list.add(b);
    }
    return list;
  }

  private static List<Byte> bytes(DistinctValueSample sample) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sample.write(new DataOutputStream(out));
    return toList(out.toByteArray());
  }
}
