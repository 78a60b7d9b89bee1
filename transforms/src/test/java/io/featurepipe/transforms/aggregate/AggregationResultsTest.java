package io.featurepipe.transforms.aggregate;

import static io.featurepipe.transforms.aggregate.AccumulatorTesting.allCombos;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.assertSameResult;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.fill;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.randomEvents;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.reference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.aggregate.AccumulatorTesting.Combo;
import io.featurepipe.transforms.aggregate.AccumulatorTesting.Event;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every aggregation against a brute-force computation, on random data and on the edge cases. */
class AggregationResultsTest {

  static Stream<Combo> exactCombos() {
    return allCombos().stream()
        .filter(c -> c.aggregation().kind() != AggregationKind.APPROX_QUANTILE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exactCombos")
  void matchesBruteForceOnRandomData(Combo combo) {
    Random r = new Random(combo.toString().hashCode());
    for (int trial = 0; trial < 60; trial++) {
      boolean specials = trial % 3 == 0;
      int n = trial < 4 ? trial : r.nextInt(trial < 30 ? 12 : 400);
      List<Event> events = randomEvents(combo.type(), r, n, specials);
      Object expected = reference(combo, events);
      assertSameResult(expected, fill(combo.create(), events).result(), combo + " over " + events);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.featurepipe.transforms.aggregate.AccumulatorTesting#allCombos")
  void emptyAndAllNullInputGiveTheEmptyValuesOfDesign(Combo combo) {
    Object expected;
    switch (combo.aggregation().kind()) {
      case COUNT:
      case APPROX_COUNT_DISTINCT:
        expected = 0L;
        break;
      case SUM:
        expected = combo.type() == ColumnType.DOUBLE ? (Object) 0.0 : (Object) 0L;
        break;
      case TOP_K:
      case LAST_K:
        expected = List.of();
        break;
      default:
        expected = null;
    }
    assertSameResult(expected, combo.create().result(), combo + " empty");
    Accumulator nulls = combo.create();
    nulls.add(null, 1);
    nulls.add(null, 2);
    Object expectedNulls = combo.aggregation().kind() == AggregationKind.COUNT ? 2L : expected;
    assertSameResult(expectedNulls, nulls.result(), combo + " over nulls");
  }

  // ------------------------------------------------------------------ sum

  private static Object run(Combo combo, Object... values) {
    Accumulator a = combo.create();
    long t = 0;
    for (Object v : values) {
      a.add(v, t++);
    }
    return a.result();
  }

  private static Combo of(AggregationKind kind, ColumnType type) {
    return new Combo(Aggregation.of(kind), type);
  }

  /** Every permutation of the values gives {@code expected}. */
  private static void assertAllOrders(Combo combo, Object expected, Object... values) {
    List<Object> list = new ArrayList<>(Arrays.asList(values));
    permute(list, 0, combo, expected);
  }

  private static void permute(List<Object> list, int i, Combo combo, Object expected) {
    if (i == list.size()) {
      assertSameResult(expected, run(combo, list.toArray()), combo + " over " + list);
      return;
    }
    for (int j = i; j < list.size(); j++) {
      Collections.swap(list, i, j);
      permute(list, i + 1, combo, expected);
      Collections.swap(list, i, j);
    }
  }

  @Test
  void doubleSumIsTheExactSumRoundedOnce() {
    Combo sum = of(AggregationKind.SUM, ColumnType.DOUBLE);
    assertAllOrders(sum, 1.0, 1e308, -1e308, 1.0);
    assertAllOrders(sum, 1e308, 1e308, 1e308, -1e308); // intermediate overflow does no harm
    assertAllOrders(sum, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE);
    assertAllOrders(sum, Double.POSITIVE_INFINITY, 1e308, 1e308); // beyond the range: +inf
    assertAllOrders(sum, Double.NEGATIVE_INFINITY, -1e308, -1e308, 1.0);
    assertAllOrders(sum, 0x1p53, 0x1p53, 1.0); // a tie: to even
    assertAllOrders(sum, 0x1p53 + 2, 0x1p53, 1.0, 1.0);
    assertAllOrders(sum, 1.0, 1.0, 0x1p-53); // a tie: to even
    assertAllOrders(sum, 1.0 + 0x1p-52, 1.0, 0x1p-53, 0x1p-100); // just above the tie
    assertAllOrders(sum, 2 * Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE);
    assertAllOrders(sum, Double.MIN_NORMAL, Double.MIN_NORMAL - Double.MIN_VALUE, Double.MIN_VALUE);
    assertAllOrders(sum, 1e-300, 1e300, 1e-300, -1e300);
    assertAllOrders(sum, 0.0, 1e300, -1e300);
    assertAllOrders(sum, -0.0, -0.0, -0.0);
    assertAllOrders(sum, 0.0, -0.0, 0.0);
    assertAllOrders(sum, 0.0, 1.5, -1.5);
    assertAllOrders(sum, Double.NaN, 1.0, Double.NaN);
    assertAllOrders(sum, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    assertAllOrders(sum, Double.NaN, AccumulatorTesting.NAN_WITH_PAYLOAD, 2.0);
    assertAllOrders(sum, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, -1e308, -1e308);
    assertAllOrders(sum, 0.0, (Object) null);
    // 0.1 ten times: the exact sum is 1.0000000000000000555..., which rounds to 1.0 (naively 0.9999999999999999)
    Object[] tenths = new Object[10];
    Arrays.fill(tenths, 0.1);
    assertSameResult(1.0, run(sum, tenths), "ten times 0.1");
  }

  @Test
  void integerSumIsExactAndNullWhenItDoesNotFitALong() {
    Combo sum = of(AggregationKind.SUM, ColumnType.INT64);
    assertAllOrders(sum, null, Long.MAX_VALUE, 1L);
    assertAllOrders(sum, Long.MAX_VALUE, Long.MAX_VALUE, 1L, -1L);
    assertAllOrders(sum, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, -Long.MAX_VALUE);
    assertAllOrders(sum, null, Long.MIN_VALUE, -1L);
    assertAllOrders(sum, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 1L);
    assertAllOrders(sum, Long.MIN_VALUE, Long.MIN_VALUE);
    assertAllOrders(sum, 0L, 5L, -5L, null);
    Combo bools = of(AggregationKind.SUM, ColumnType.BOOL);
    assertAllOrders(bools, 2L, true, false, true, null);
    assertSameResult(0L, run(bools, false, false), "sum of falses");
  }

  // ------------------------------------------------------------------ moments

  @Test
  void meanIsTheExactSumOverNRoundedOnce() {
    Combo mean = of(AggregationKind.MEAN, ColumnType.DOUBLE);
    assertAllOrders(mean, 1e308, 1e308, 1e308, 1e308); // no overflow on the way
    assertAllOrders(mean, 1.0 / 3, 1e308, -1e308, 1.0);
    assertAllOrders(mean, -0.0, -0.0, -0.0);
    assertAllOrders(mean, 0.0, -0.0, 0.0);
    assertAllOrders(mean, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0);
    assertAllOrders(mean, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    assertAllOrders(mean, Double.NaN, AccumulatorTesting.NEGATIVE_NAN, 1.0);
    assertAllOrders(mean, Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE);
    assertAllOrders(mean, 2.5, 2.0, 3.0, null);
    Combo longs = of(AggregationKind.MEAN, ColumnType.INT64);
    assertAllOrders(longs, (double) Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
    assertAllOrders(longs, -0.5, Long.MIN_VALUE, Long.MAX_VALUE);
    Combo bools = of(AggregationKind.MEAN, ColumnType.BOOL);
    assertAllOrders(bools, 1.0 / 3, true, false, false);
  }

  @Test
  void varianceIsTheExactSampleVarianceRoundedOnce() {
    Combo var = of(AggregationKind.VARIANCE, ColumnType.DOUBLE);
    assertSameResult(null, run(var, 1.0), "one value");
    assertSameResult(null, run(var, 1.0, null), "one non-null value");
    assertSameResult(null, run(var, Double.NaN), "one NaN");
    assertAllOrders(var, 0.5, 1.0, 2.0);
    assertAllOrders(var, 0.0, 7.25, 7.25, 7.25);
    // catastrophic cancellation in the naive formula: exact here
    assertAllOrders(var, 1.0, 1e9 + 1, 1e9 + 2, 1e9 + 3);
    assertAllOrders(var, 1.0, 1e15 + 1, 1e15 + 2, 1e15 + 3);
    assertAllOrders(var, Double.POSITIVE_INFINITY, 1e308, -1e308); // 2e616: beyond the range
    assertAllOrders(var, Double.NaN, 1.0, Double.POSITIVE_INFINITY);
    assertAllOrders(var, Double.NaN, 1.0, Double.NaN);
    assertAllOrders(var, Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertAllOrders(var, 0.0, Double.MIN_VALUE, 2 * Double.MIN_VALUE); // 2^-2149: underflows
    Combo sd = of(AggregationKind.STDDEV, ColumnType.DOUBLE);
    assertAllOrders(sd, Math.sqrt(0.5), 1.0, 2.0);
    assertAllOrders(sd, 1.0, 1e9 + 1, 1e9 + 2, 1e9 + 3);
    assertAllOrders(sd, Double.POSITIVE_INFINITY, 1e308, -1e308);
    Combo longs = of(AggregationKind.VARIANCE, ColumnType.INT64);
    // values ±2^63: exact variance (2^63 + 2^63 - 1)^2 / 2 = (2^64 - 1)^2 / 2
    double expected = new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE).pow(2))
        .divide(java.math.BigDecimal.valueOf(2)).doubleValue();
    assertAllOrders(longs, expected, Long.MIN_VALUE, Long.MAX_VALUE);
    Combo bools = of(AggregationKind.VARIANCE, ColumnType.BOOL);
    assertAllOrders(bools, 1.0 / 3, true, false, false);
  }

  // ------------------------------------------------------------------ orders

  @Test
  void minAndMaxUseTheValueOrdering() {
    assertAllOrders(of(AggregationKind.MAX, ColumnType.DOUBLE), Double.NaN, 1.0, AccumulatorTesting.NAN_WITH_PAYLOAD, Double.POSITIVE_INFINITY);
    assertAllOrders(of(AggregationKind.MIN, ColumnType.DOUBLE), Double.NEGATIVE_INFINITY, 1.0, Double.NaN, Double.NEGATIVE_INFINITY);
    assertAllOrders(of(AggregationKind.MIN, ColumnType.DOUBLE), -0.0, 0.0, -0.0, 0.0);
    assertAllOrders(of(AggregationKind.MAX, ColumnType.DOUBLE), 0.0, 0.0, -0.0);
    assertAllOrders(of(AggregationKind.MIN, ColumnType.DOUBLE), Double.NaN, Double.NaN, null);
    // U+1F600 is above U+FFFF by code point, below it in UTF-16 units
    assertAllOrders(of(AggregationKind.MAX, ColumnType.STRING), "\uD83D\uDE00", "\uFFFF", "\uD83D\uDE00", "a");
    assertAllOrders(of(AggregationKind.MIN, ColumnType.STRING), "", "\uFFFF", "", "a");
    assertAllOrders(of(AggregationKind.MIN, ColumnType.BOOL), false, true, false);
    assertAllOrders(of(AggregationKind.MAX, ColumnType.BOOL), true, true, false);
    assertAllOrders(of(AggregationKind.MAX, ColumnType.TIMESTAMP), 5L, 3L, 5L, null);
    assertAllOrders(of(AggregationKind.MIN, ColumnType.INT64), Long.MIN_VALUE, 0L, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  @Test
  void firstAndLastOrderByTimeThenValue() {
    Combo first = of(AggregationKind.FIRST, ColumnType.STRING);
    Combo last = of(AggregationKind.LAST, ColumnType.STRING);
    List<Event> events = List.of(
        new Event("b", 1_000_000_005L), new Event("a", 1_000_000_005L),
        new Event("\uFFFF", 1_000_000_005L), new Event("\uD800\uDC00", 1_000_000_005L),
        new Event("z", 1_000_000_004L), new Event(null, 1_000_000_001L), new Event(null, 1_000_000_009L));
    assertEventOrders(first, "z", events);
    assertEventOrders(last, "\uD800\uDC00", events); // U+10000 > U+FFFF
    List<Event> nanos = List.of(new Event(2.0, 1_000_000_001L), new Event(1.0, 1_000_000_002L));
    assertEventOrders(of(AggregationKind.FIRST, ColumnType.DOUBLE), 2.0, nanos);
    assertEventOrders(of(AggregationKind.LAST, ColumnType.DOUBLE), 1.0, nanos);
    List<Event> ties = List.of(new Event(Double.NaN, 7), new Event(1.0, 7), new Event(-0.0, 7), new Event(0.0, 7));
    assertEventOrders(of(AggregationKind.LAST, ColumnType.DOUBLE), Double.NaN, ties);
    assertEventOrders(of(AggregationKind.FIRST, ColumnType.DOUBLE), -0.0, ties);
  }

  private static void assertEventOrders(Combo combo, Object expected, List<Event> events) {
    Random r = new Random(7);
    for (int i = 0; i < 30; i++) {
      List<Event> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, r);
      assertSameResult(expected, fill(combo.create(), shuffled).result(), combo + " over " + shuffled);
    }
  }

  @Test
  void topKIsTheKLargestDistinctValuesLargestFirst() {
    Combo top3 = new Combo(Aggregation.topK(3), ColumnType.INT64);
    assertAllOrders(top3, List.of(5L, 4L, 3L), 5L, 5L, 4L, 3L, 3L, 2L);
    assertAllOrders(top3, List.of(5L, 2L), 5L, 2L, 5L, null);
    Combo strings = new Combo(Aggregation.topK(2), ColumnType.STRING);
    assertAllOrders(strings, List.of("\uD83D\uDE00", "\uFFFF"), "a", "\uFFFF", "\uD83D\uDE00", "\uE000");
    Combo doubles = new Combo(Aggregation.topK(3), ColumnType.DOUBLE);
    assertAllOrders(doubles, List.of(Double.NaN, 0.0, -0.0), -0.0, Double.NaN, 0.0, AccumulatorTesting.NEGATIVE_NAN, -1.0);
  }

  @Test
  void lastKIsTheKLatestEventsAsAMultisetLatestFirst() {
    Combo last2 = new Combo(Aggregation.lastK(2), ColumnType.STRING);
    List<Event> twins = List.of(new Event("x", 9), new Event("x", 9), new Event("a", 8), new Event("z", 9));
    assertEventOrders(last2, List.of("z", "x"), twins);
    Combo last3 = new Combo(Aggregation.lastK(3), ColumnType.STRING);
    assertEventOrders(last3, List.of("z", "x", "x"), twins);
    Combo last5 = new Combo(Aggregation.lastK(5), ColumnType.STRING);
    assertEventOrders(last5, List.of("z", "x", "x", "a"), twins);
  }

  @Test
  void countCountsRowsWithNulls() {
    Combo count = new Combo(Aggregation.of(AggregationKind.COUNT), null);
    assertSameResult(3L, run(count, null, "a", 1L), "count");
  }

  // ------------------------------------------------------------------ factory

  @Test
  void createFollowsTypeRulesAndChecksParameters() {
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.of(AggregationKind.SUM), ColumnType.STRING));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.of(AggregationKind.MEAN), ColumnType.TIMESTAMP));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.quantile(0.5), ColumnType.BOOL));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.quantile(1.0), ColumnType.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.quantile(0.0), ColumnType.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.topK(0), ColumnType.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.lastK(1001), ColumnType.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.of(AggregationKind.TOP_K), ColumnType.DOUBLE));
    assertThrows(IllegalArgumentException.class, () -> Aggregators.create(Aggregation.of(AggregationKind.MIN), null));
    Accumulator count = Aggregators.create(Aggregation.of(AggregationKind.COUNT), null);
    assertEquals(0L, count.result());
    Accumulator min = Aggregators.create(Aggregation.of(AggregationKind.MIN), ColumnType.INT64);
    assertThrows(IllegalArgumentException.class, () -> min.add(1, 0)); // an Integer, not a Long
    Accumulator sum = Aggregators.create(Aggregation.of(AggregationKind.SUM), ColumnType.INT64);
    assertThrows(IllegalArgumentException.class, () -> sum.add(1.0, 0));
    Accumulator max = Aggregators.create(Aggregation.of(AggregationKind.MAX), ColumnType.STRING);
    Accumulator other = Aggregators.create(Aggregation.of(AggregationKind.MAX), ColumnType.INT64);
    assertThrows(IllegalArgumentException.class, () -> max.mergeFrom(other));
    assertThrows(IllegalArgumentException.class, () -> max.mergeFrom(count));
    Accumulator top3 = Aggregators.create(Aggregation.topK(3), ColumnType.INT64);
    assertThrows(IllegalArgumentException.class, () -> top3.mergeFrom(Aggregators.create(Aggregation.topK(4), ColumnType.INT64)));
    assertTrue(fill(Aggregators.create(Aggregation.of(AggregationKind.APPROX_COUNT_DISTINCT), ColumnType.BOOL),
        List.of(new Event(true, 1), new Event(false, 1), new Event(true, 2))).result().equals(2L));
  }

  @Test
  void copyIsDeep() {
    Random r = new Random(11);
    for (Combo combo : allCombos()) {
      List<Event> events = randomEvents(combo.type(), r, 300, false);
      Accumulator a = fill(combo.create(), events.subList(0, 150));
      byte[] before = AccumulatorCoder.toBytes(a);
      Object resultBefore = a.result();
      Accumulator c = a.copy();
      fill(c, events.subList(150, 300));
      c.mergeFrom(fill(combo.create(), events));
      assertTrue(Arrays.equals(before, AccumulatorCoder.toBytes(a)), combo + ": the copy shares state");
      assertSameResult(resultBefore, a.result(), combo);
    }
  }

  @Test
  void mergingIntoItselfIsMergingACopy() {
    Random r = new Random(12);
    for (Combo combo : allCombos()) {
      List<Event> events = randomEvents(combo.type(), r, 2000, false);
      Accumulator self = fill(combo.create(), events);
      Accumulator twice = fill(combo.create(), events);
      self.mergeFrom(self);
      twice.mergeFrom(twice.copy());
      assertSameResult(twice.result(), self.result(), combo);
      assertTrue(Arrays.equals(AccumulatorCoder.toBytes(twice), AccumulatorCoder.toBytes(self)), combo.toString());
    }
  }
}
