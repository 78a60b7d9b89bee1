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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A numeric column's statistics state keeps one moments accumulator and reads its mean from it,
 * yet encodes as when it kept a mean accumulator beside it (a stream's state and the statistics
 * files hold these bytes): the mean's bytes are those of a {@code mean} accumulator given the same
 * values, however the values were split into accumulators and merged.
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
