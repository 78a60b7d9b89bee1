package io.featurepipe.transforms.aggregate;

import static io.featurepipe.transforms.aggregate.AccumulatorTesting.fill;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.randomEvents;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.sameResult;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.aggregate.AccumulatorTesting.Combo;
import io.featurepipe.transforms.aggregate.AccumulatorTesting.Event;
import io.featurepipe.transforms.model.AggregationKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The core contract (DESIGN §2): for the same multiset of events, every order of adds, every way of
 * splitting them into partial accumulators, every merge tree, and coder round trips anywhere on the
 * way give a bit-identical result (and, for our accumulators, a byte-identical encoded state).
 */
class OrderIndependenceTest {

  /**
   * Adds {@code events} in a random order into random parts, merges them in a random tree with
   * adds interleaved, copies and coder round trips on the way. Checks on the way that mergeFrom
   * never modifies its argument.
   */
  static Accumulator randomMergeTree(
      Supplier<Accumulator> factory, List<Event> events, Random r, boolean coder) {
    List<Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, r);
    int leftoverSize = r.nextInt(3) == 0 ? r.nextInt(shuffled.size() + 1) : 0;
    List<Event> leftover = new ArrayList<>(shuffled.subList(0, leftoverSize));
    List<Event> rest = shuffled.subList(leftoverSize, shuffled.size());
    int parts = 1 + r.nextInt(8);
    int[] cuts = new int[parts + 1];
    for (int i = 1; i < parts; i++) {
      cuts[i] = r.nextInt(rest.size() + 1);
    }
    cuts[parts] = rest.size();
    Arrays.sort(cuts);
    List<Accumulator> accs = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      Accumulator a = fill(factory.get(), rest.subList(cuts[p], cuts[p + 1]));
      accs.add(maybeRoundTrip(factory, a, r, coder));
    }
    while (accs.size() > 1) {
      int i = r.nextInt(accs.size());
      int j = r.nextInt(accs.size() - 1);
      if (j >= i) {
        j++;
      }
      Accumulator into = accs.get(i);
      Accumulator from = accs.get(j);
      byte[] before = coder ? AccumulatorCoder.toBytes(from) : null;
      into.mergeFrom(from);
      if (coder) {
        assertTrue(Arrays.equals(before, AccumulatorCoder.toBytes(from)), "mergeFrom modified its argument");
      }
      int extra = leftover.isEmpty() ? 0 : r.nextInt(leftover.size() + 1);
      for (int e = 0; e < extra; e++) {
        Event ev = leftover.remove(leftover.size() - 1);
        into.add(ev.value(), ev.time());
      }
      accs.set(i, maybeRoundTrip(factory, into, r, coder));
      accs.remove(j);
    }
    Accumulator result = accs.get(0);
    fill(result, leftover);
    return result;
  }

  private static Accumulator maybeRoundTrip(
      Supplier<Accumulator> factory, Accumulator a, Random r, boolean coder) {
    switch (r.nextInt(5)) {
      case 0:
        return coder ? AccumulatorCoder.fromBytes(AccumulatorCoder.toBytes(a)) : a;
      case 1:
        return a.copy();
      case 2: // merged into a fresh accumulator
        Accumulator fresh = factory.get();
        fresh.mergeFrom(a);
        return fresh;
      default:
        return a;
    }
  }

  /** The mismatches found over {@code permutations} random merge trees. */
  static List<String> orderDependence(
      Supplier<Accumulator> factory, List<Event> events, Random r, int permutations, boolean coder) {
    Accumulator reference = fill(factory.get(), events);
    Object expected = reference.result();
    byte[] expectedBytes = coder ? AccumulatorCoder.toBytes(reference) : null;
    List<String> mismatches = new ArrayList<>();
    for (int p = 0; p < permutations; p++) {
      Accumulator a = randomMergeTree(factory, events, r, coder);
      Object actual = a.result();
      if (!sameResult(expected, actual)) {
        mismatches.add(show(expected) + " != " + show(actual));
      } else if (coder && !Arrays.equals(expectedBytes, AccumulatorCoder.toBytes(a))) {
        mismatches.add("same result, different state encoding");
      }
    }
    return mismatches;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.featurepipe.transforms.aggregate.AccumulatorTesting#allCombos")
  void resultIsTheSameForEveryOrderAndMergeTree(Combo combo) {
    Random r = new Random(31L * combo.toString().hashCode());
    AggregationKind kind = combo.aggregation().kind();
    int[] sizes = {0, 1, 2, 3, 5, 8, 13, 40, 100, 250, 250, 250};
    for (int d = 0; d < sizes.length; d++) {
      boolean specials = d % 2 == 0;
      List<Event> events = randomEvents(combo.type(), r, sizes[d], specials);
      List<String> mismatches = orderDependence(combo::create, events, r, 8, true);
      assertEquals(List.of(), mismatches, combo + " over " + events);
    }
    if (kind == AggregationKind.APPROX_COUNT_DISTINCT
        || kind == AggregationKind.APPROX_QUANTILE
        || kind == AggregationKind.SUM
        || kind == AggregationKind.VARIANCE) {
      // large inputs: the KMV sketch past k, many quantile bins, many exact-sum limbs
      List<Event> events = randomEvents(combo.type(), r, 3000, false);
      for (int i = 0; i < events.size(); i += 3) { // distinct values beyond k
        Object v = events.get(i).value();
        if (v instanceof Long l) {
          events.set(i, new Event(l + i, events.get(i).time()));
        } else if (v instanceof String s) {
          events.set(i, new Event(s + i, events.get(i).time()));
        } else if (v instanceof Double x) {
          events.set(i, new Event(x + i, events.get(i).time()));
        }
      }
      assertEquals(List.of(), orderDependence(combo::create, events, r, 4, true), combo + " large");
    }
  }

  @Test
  void theHarnessCatchesAnOrderDependentAccumulator() {
    // A naive double sum: its result depends on the order of adds and merges.
    class NaiveSum implements Accumulator {
      double sum;

      @Override
      public void add(Object value, long eventTimeNanos) {
        if (value != null) {
          sum += (Double) value;
        }
      }

      @Override
      public void mergeFrom(Accumulator other) {
        sum += ((NaiveSum) other).sum;
      }

      @Override
      public Object result() {
        return sum;
      }

      @Override
      public Accumulator copy() {
        NaiveSum c = new NaiveSum();
        c.sum = sum;
        return c;
      }
    }
    Random r = new Random(8);
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      events.add(new Event(r.nextGaussian() * Math.pow(10, r.nextInt(6)), i));
    }
    assertFalse(orderDependence(NaiveSum::new, events, r, 10, false).isEmpty());
    // ... and the exact one passes on the same data
    assertEquals(List.of(), orderDependence(
        () -> Aggregators.create(io.featurepipe.transforms.model.Aggregation.of(AggregationKind.SUM),
            io.featurepipe.transforms.model.ColumnType.DOUBLE), events, r, 10, true));
  }
}
