package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.transforms.record.FeatureRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/**
 * The join's coders read back what they wrote, value after value from one stream (each stops at
 * its own end), inside Beam's coders (a key-value pair, a list) and alone, from a plain stream and
 * from a {@code DataInputStream} that nested coders share: offline rows and spine rows on their
 * way, with 0 to 2 groups joined, salts, nulls, lists and strings of every kind.
 */
class JoinCodersTest {

  private static Object value(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> null;
      case 1 -> random.nextLong();
      case 2 -> random.nextGaussian();
      case 3 -> List.of("", "Zürich", "a\uD800b", "pay 💳").get(random.nextInt(4));
      case 4 -> random.nextBoolean();
      default -> List.of(random.nextLong(), random.nextLong());
    };
  }

  private static FeatureRow row(Random random) {
    Object[] values = new Object[random.nextInt(5)];
    for (int i = 0; i < values.length; i++) {
      values[i] = value(random);
    }
    BitSet writes = new BitSet();
    writes.set(random.nextInt(3));
    return new FeatureRow("g" + random.nextInt(3), "v1", List.of("u" + random.nextInt(9), (long) random.nextInt(9)),
        random.nextLong(), values, random.nextBoolean(), writes, random.nextBoolean(), random.nextInt(1000));
  }

  private static JoinInput input(Random random) {
    if (random.nextBoolean()) {
      return JoinInput.offline(row(random));
    }
    byte[] record = new byte[random.nextInt(40)];
    random.nextBytes(record);
    SpineRow spine = new SpineRow(random.nextLong(), "spine.csv:" + random.nextInt(), random.nextLong(),
        List.of("u" + random.nextInt(9), (long) random.nextInt(9)), record);
    List<FeatureRow> groups = new ArrayList<>();
    for (int g = random.nextInt(3); g > 0; g--) {
      groups.add(row(random));
    }
    int[] salts = new int[random.nextInt(3)];
    for (int i = 0; i < salts.length; i++) {
      salts[i] = random.nextInt(100);
    }
    return JoinInput.spine(new PendingRow(new JoinedRow(spine, groups), salts));
  }

  /** Encodes the values one after another, decodes them from {@code in} of those bytes, and encodes them again. */
  private static <T> void roundTrip(Coder<T> coder, List<T> values, boolean shared) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (T v : values) {
      coder.encode(v, out);
    }
    byte[] bytes = out.toByteArray();
    InputStream in = new ByteArrayInputStream(bytes);
    if (shared) {
      in = new DataInputStream(in);
    }
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    for (T v : values) {
      T read = coder.decode(in);
      ByteArrayOutputStream one = new ByteArrayOutputStream();
      coder.encode(v, one);
      ByteArrayOutputStream readOne = new ByteArrayOutputStream();
      coder.encode(read, readOne);
      assertArrayEquals(one.toByteArray(), readOne.toByteArray(), coder + ": " + v);
      coder.encode(read, again);
    }
    assertEquals(-1, in.read(), coder + ": every value read to its end, no further");
    assertArrayEquals(bytes, again.toByteArray());
  }

  @Test
  void joinValuesReadBackValueAfterValue() throws Exception {
    Random random = new Random(5);
    List<JoinInput> inputs = new ArrayList<>();
    List<KV<Bucket, JoinInput>> keyed = new ArrayList<>();
    List<JoinedRow> joined = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      JoinInput in = input(random);
      inputs.add(in);
      keyed.add(KV.of(new Bucket(random.nextInt(3), List.of("u" + i, (long) i), random.nextInt(20_000), random.nextInt(4)), in));
      if (in.spine() != null) {
        joined.add(in.spine().row());
      }
    }
    for (boolean shared : new boolean[] {false, true}) {
      roundTrip(JoinInput.Coder.of(), inputs, shared);
      roundTrip(KvCoder.of(Bucket.Coder.of(), JoinInput.Coder.of()), keyed, shared);
      roundTrip(JoinedRow.Coder.of(), joined, shared);
      roundTrip(ListCoder.of(JoinedRow.Coder.of()), List.of(joined, List.of(), joined.subList(0, 3)), shared);
    }
    // a joined row's bytes: its spine row's, then its groups' as Beam's list coder writes them
    for (JoinedRow r : joined) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      SpineRow.Coder.of().encode(r.spine(), expected);
      ListCoder.of(FeatureRow.Coder.of()).encode(r.groups(), expected);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      JoinedRow.Coder.of().encode(r, got);
      assertArrayEquals(expected.toByteArray(), got.toByteArray());
    }
    // what was encoded is what was read, field by field, for a spine row with groups and salts
    JoinInput sample = inputs.stream().filter(i -> i.spine() != null && !i.spine().row().groups().isEmpty()
        && i.spine().salts().length > 0).findFirst().orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JoinInput.Coder.of().encode(sample, out);
    JoinInput read = JoinInput.Coder.of().decode(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(sample.spine().row().spine().id(), read.spine().row().spine().id());
    assertArrayEquals(sample.spine().row().spine().record(), read.spine().row().spine().record());
    assertEquals(sample.spine().row().groups(), read.spine().row().groups());
    assertArrayEquals(sample.spine().salts(), read.spine().salts());
  }
}
