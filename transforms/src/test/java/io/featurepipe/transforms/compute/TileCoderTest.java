package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.aggregate.AccumulatorCoder;
import io.featurepipe.transforms.aggregate.Aggregators;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/**
 * A tile encodes as its hop start, its slot count and each slot's {@link AccumulatorCoder}
 * encoding (the format tiles kept in state have), and decodes to the same tile.
 */
class TileCoderTest {

  @Test
  void encodesHopSlotCountAndSlotsAndRoundTrips() throws Exception {
    Accumulator count = Aggregators.create(Aggregation.of(AggregationKind.COUNT), ColumnType.DOUBLE);
    Accumulator mean = Aggregators.create(Aggregation.of(AggregationKind.MEAN), ColumnType.DOUBLE);
    Accumulator max = Aggregators.create(Aggregation.of(AggregationKind.MAX), ColumnType.INT64);
    Accumulator last = Aggregators.create(Aggregation.of(AggregationKind.LAST), ColumnType.STRING);
    long t = 1_767_225_600_000_000_000L;
    for (int i = 0; i < 50; i++) {
      count.add(1.0 * i, t + i);
      mean.add(i / 3.0, t + i);
      max.add((long) (i * 7 % 11), t + i);
      last.add("v" + i, t + i);
    }
    for (Tile tile : List.of(
        new Tile(1_767_225_600_000L, new Accumulator[] {count, mean, max, last}),
        new Tile(-3_600_000L, new Accumulator[] {Aggregators.create(Aggregation.of(AggregationKind.SUM), ColumnType.DOUBLE)}),
        new Tile(0L, new Accumulator[0]))) {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(expected);
      out.writeLong(tile.hopStartMillis());
      ValueCodec.writeVarLong(tile.slots().length, out);
      for (Accumulator a : tile.slots()) {
        out.write(AccumulatorCoder.toBytes(a));
      }
      out.flush();
      byte[] bytes = CoderUtils.encodeToByteArray(Tile.Coder.of(), tile);
      assertArrayEquals(expected.toByteArray(), bytes);
      Tile back = CoderUtils.decodeFromByteArray(Tile.Coder.of(), bytes);
      assertArrayEquals(bytes, CoderUtils.encodeToByteArray(Tile.Coder.of(), back));
    }
  }
}
