package io.featurepipe.validation.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.AccumulatorCoder;
import io.featurepipe.transforms.aggregate.Aggregators;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import io.featurepipe.validation.columns.Column;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A numeric column's statistics state keeps one moments accumulator and reads its mean from it,
 * yet encodes as when it kept a mean accumulator beside it (a stream's state and the statistics
 * files hold these bytes): the mean's bytes are those of a {@code mean} accumulator given the same
 * values, however the values were split into accumulators and merged; and states written before
 * (41a8dfd, which kept a mean accumulator beside the variance's) are written again byte for byte.
 */
class FeatureAccumulatorEncodingTest {

  @Test
  void theMeanIsEncodedAsAMeanAccumulatorOfTheSameValues() throws IOException {
    Random random = new Random(1203);
    for (ColumnType type : new ColumnType[] {ColumnType.DOUBLE, ColumnType.INT64, ColumnType.BOOL, ColumnType.TIMESTAMP}) {
      for (int round = 0; round < 50; round++) {
        Column column = new Column("c", type, false, Column.Origin.SOURCE);
        ColumnType exact = type == ColumnType.DOUBLE ? ColumnType.DOUBLE : ColumnType.INT64;
        Accumulator mean = Aggregators.create(Aggregation.of(AggregationKind.MEAN), exact);
        Accumulator variance = Aggregators.create(Aggregation.of(AggregationKind.VARIANCE), exact);
        List<FeatureAccumulator> parts = new ArrayList<>();
        for (int p = 1 + random.nextInt(4); p > 0; p--) {
          parts.add(new FeatureAccumulator(column, 100));
        }
        for (int n = random.nextInt(200); n > 0; n--) {
          Object value = value(type, random);
          parts.get(random.nextInt(parts.size())).add(value);
          Object moment = momentInput(type, value);
          if (moment != null) {
            mean.add(moment, 0);
            variance.add(moment, 0);
          }
        }
        FeatureAccumulator merged = parts.get(0);
        for (FeatureAccumulator part : parts.subList(1, parts.size())) {
          merged.merge(part);
        }
        byte[] encoded = bytes(merged);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        for (Accumulator a : new Accumulator[] {mean, variance}) {
          byte[] b = AccumulatorCoder.toBytes(a);
          ValueCodec.writeVarLong(b.length, out);
          out.write(b);
        }
        assertTrue(contains(encoded, expected.toByteArray()), type + " round " + round);
        assertEquals(mean.result(), merged.mean().result());
        FeatureAccumulator read =
            FeatureAccumulator.read(column, 100, new DataInputStream(new ByteArrayInputStream(encoded)));
        assertArrayEquals(encoded, bytes(read));
        assertEquals(mean.result(), read.mean().result());
      }
    }
  }

  /**
   * States of a double, int, bool, timestamp and list-of-int column (NaN, infinities, -0.0, nulls,
   * the ends of long, timestamps before 1970), each from two accumulators merged, encode to the bytes
   * 41a8dfd's code wrote for them, and read back and written again give those bytes.
   */
  @Test
  void statesEncodeAsTheyDidWhenTheMeanHadItsOwnAccumulator() throws IOException {
    Object[][] values = {
      {1.5, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 2.25, -3.0, 40.0, 0.5, null, 0.0, Double.NEGATIVE_INFINITY, -2.75},
      {Long.MAX_VALUE, Long.MIN_VALUE, 0L, null, 1L << 62, -(1L << 61), 5_000_000_000_000_000_000L},
      {true, false, true, null, true},
      {1_767_225_600_500_000_123L, -1_767_225_600_000_000_001L, 0L, null, 1_767_312_000_000_000_000L},
    };
    ColumnType[] types = {ColumnType.DOUBLE, ColumnType.INT64, ColumnType.BOOL, ColumnType.TIMESTAMP};
    String[] written = {
        "0b0b010101010b0a01020101c00800000000000040440000000000000c01040308080142009a00000012010503080801"
        + "42009a00000186010000658202dc01430100000000000000000000000000000000000000000000000000000000000000"
        + "000000000000000000000000000000000000000000000001000000000000000000000000000000000000000100000000"
        + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000105660100"
        + "000001",
        "060601010101060600010000c3e000000000000043e00000000000001401040206080342fffc0000460913cf0001958e"
        + "002a01050206080342fffc0000460913cf0001958e05860100000010262889006a1b11d86ced32a10000000a0124ca21"
        + "010000000100000000000000000000000000000000000000000000000000000000000001468621010000000000000000"
        + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        + "00000000000000000000000001",
        "04040101010104040001000000000000000000003ff00000000000000c01040204080142000c00000012010502040801"
        + "42000c0000018601000000300101000300",
        "040401010101040400010000c279b76daa8010004279b7c010400000100104020408024217cc0000066df004001e0105"
        + "020408024217cc0000066df004038601869609109e599a55007c0151010184160201841601"
    };
    for (int t = 0; t < types.length; t++) {
      Column column = new Column("c", types[t], false, Column.Origin.SOURCE);
      FeatureAccumulator a = new FeatureAccumulator(column, 100);
      FeatureAccumulator b = new FeatureAccumulator(column, 100);
      for (int i = 0; i < values[t].length; i++) {
        (i % 2 == 0 ? a : b).add(values[t][i]);
      }
      a.merge(b);
      assertWrittenAsBefore(column, a, written[t]);
    }
    Column list = new Column("l", ColumnType.INT64, true, Column.Origin.SOURCE);
    FeatureAccumulator l = new FeatureAccumulator(list, 100);
    l.add(List.of(1L, 2L, 3L));
    l.add(Arrays.asList(4L, null));
    l.add(List.of());
    l.add(null);
    assertWrittenAsBefore(
        list,
        l,
        "030500030300010201030104000000003ff000000000000040100000000000000c010402040801420028000000120105"
        + "020408014200280000018601000001e00047000100000000000000000000000000000000000000000000000000000000"
        + "00000000000001000000000000000000000000000000000000000100000000000000000000000000000100");
  }

  private static void assertWrittenAsBefore(Column column, FeatureAccumulator a, String before) throws IOException {
    assertEquals(before, HexFormat.of().formatHex(bytes(a)), column.type() + (column.list() ? " list" : ""));
    FeatureAccumulator read =
        FeatureAccumulator.read(column, 100, new DataInputStream(new ByteArrayInputStream(HexFormat.of().parseHex(before))));
    assertEquals(before, HexFormat.of().formatHex(bytes(read)));
  }

  /** A value of the column: finite, zero (of either sign), NaN or infinite; some nulls. */
  private static Object value(ColumnType type, Random random) {
    if (random.nextInt(10) == 0) {
      return null;
    }
    switch (type) {
      case DOUBLE:
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, -5e-324};
        return random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : random.nextGaussian() * 1e3;
      case BOOL:
        return random.nextBoolean();
      case TIMESTAMP:
        return random.nextLong() / 1000; // nanoseconds, either side of 1970
      default:
        return random.nextInt(3) == 0 ? random.nextLong() : (long) random.nextInt(100) - 50;
    }
  }

  /** What the column's statistics give the moments: finite numbers, -0.0 as 0.0, booleans as 0/1, timestamps in milliseconds. */
  private static Object momentInput(ColumnType type, Object value) {
    if (value == null) {
      return null;
    }
    switch (type) {
      case DOUBLE:
        double x = (Double) value;
        return Double.isNaN(x) || Double.isInfinite(x) ? null : (Object) (x == 0 ? 0.0 : x);
      case BOOL:
        return (Boolean) value ? 1L : 0L;
      case TIMESTAMP:
        return Math.floorDiv((Long) value, 1_000_000L);
      default:
        return value;
    }
  }

  private static byte[] bytes(FeatureAccumulator a) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    a.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
