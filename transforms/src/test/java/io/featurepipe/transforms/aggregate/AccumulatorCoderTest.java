package io.featurepipe.transforms.aggregate;

import static io.featurepipe.transforms.aggregate.AccumulatorTesting.assertSameResult;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.fill;
import static io.featurepipe.transforms.aggregate.AccumulatorTesting.randomEvents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.featurepipe.transforms.aggregate.AccumulatorTesting.Combo;
import io.featurepipe.transforms.aggregate.AccumulatorTesting.Event;
import io.featurepipe.transforms.model.Aggregation;
import io.featurepipe.transforms.model.AggregationKind;
import io.featurepipe.transforms.model.ColumnType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.testing.CoderProperties;
import org.hamcrest.BaseMatcher;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AccumulatorCoderTest {
  private static final AccumulatorCoder CODER = AccumulatorCoder.of();

  /** States of {@code combo}: empty, small, with special values, large. */
  private static List<Accumulator> states(Combo combo, Random r) {
    List<Accumulator> out = new ArrayList<>();
    out.add(combo.create());
    for (int n : new int[] {1, 5, 60, 1500}) {
      out.add(fill(combo.create(), randomEvents(combo.type(), r, n, n == 60)));
    }
    Accumulator big = combo.create();
    for (int i = 0; i < 3000; i++) { // past the KMV k and top_k/last_k k
      Object v = combo.type() == null ? null : AccumulatorTesting.randomValue(combo.type(), r, false);
      if (v instanceof Long l) {
        v = l + i;
      } else if (v instanceof String s) {
        v = s + i;
      }
      big.add(v, r.nextLong());
    }
    out.add(big);
    return out;
  }

  /** Matches an accumulator with the same result (bit for bit) and the same encoding. */
  private static Matcher<Accumulator> sameAs(Accumulator expected) {
    return new BaseMatcher<>() {
      @Override
      public boolean matches(Object actual) {
        return actual instanceof Accumulator a
            && AccumulatorTesting.sameResult(expected.result(), a.result())
            && Arrays.equals(AccumulatorCoder.toBytes(expected), AccumulatorCoder.toBytes(a));
      }

      @Override
      public void describeTo(Description description) {
        description.appendText("an accumulator like " + expected);
      }
    };
  }

  @SuppressWarnings("deprecation") // Coder.Context: CoderProperties still tests the nested and outer contexts
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.featurepipe.transforms.aggregate.AccumulatorTesting#allCombos")
  void roundTripsExactlyInEveryContext(Combo combo) throws Exception {
    Random r = new Random(combo.toString().hashCode() * 17L);
    for (Accumulator a : states(combo, r)) {
      CoderProperties.structuralValueDecodeEncodeEqual(CODER, a);
      for (Coder.Context context : CoderProperties.ALL_CONTEXTS) {
        CoderProperties.coderDecodeEncodeInContext(CODER, context, a, sameAs(a));
      }
      Accumulator decoded = AccumulatorCoder.fromBytes(AccumulatorCoder.toBytes(a));
      assertSameResult(a.result(), decoded.result(), combo);
      // further adds and merges behave identically
      List<Event> more = randomEvents(combo.type(), r, 200, true);
      Accumulator other = fill(combo.create(), randomEvents(combo.type(), r, 100, false));
      for (Accumulator x : List.of(a, decoded)) {
        fill(x, more);
        x.mergeFrom(other);
      }
      assertSameResult(a.result(), decoded.result(), combo + " after more adds");
      assertArrayEquals(AccumulatorCoder.toBytes(a), AccumulatorCoder.toBytes(decoded), combo.toString());
    }
  }

  @Test
  void isDeterministicSerializableAndSelfDelimiting() throws Exception {
    CODER.verifyDeterministic();
    CoderProperties.coderSerializable(CODER);
    Random r = new Random(21);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Accumulator> written = new ArrayList<>();
    for (Combo combo : AccumulatorTesting.allCombos()) {
      Accumulator a = fill(combo.create(), randomEvents(combo.type(), r, 30, true));
      CODER.encode(a, out);
      written.add(a);
    }
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    for (Accumulator a : written) {
      Accumulator b = CODER.decode(in);
      assertEquals(a.getClass(), b.getClass());
      assertSameResult(a.result(), b.result(), a);
    }
    assertEquals(0, in.available());
  }

  @Test
  void isSelfDescribing() {
    // accumulators with no values but different parameters decode to what they were
    List<Accumulator> empties = new ArrayList<>();
    for (Combo combo : AccumulatorTesting.allCombos()) {
      empties.add(combo.create());
    }
    for (int i = 0; i < empties.size(); i++) {
      for (int j = 0; j < empties.size(); j++) {
        boolean same = Arrays.equals(AccumulatorCoder.toBytes(empties.get(i)), AccumulatorCoder.toBytes(empties.get(j)));
        boolean sameCombo = i == j
            || (AccumulatorTesting.allCombos().get(i).aggregation().kind() == AggregationKind.COUNT
                && AccumulatorTesting.allCombos().get(j).aggregation().kind() == AggregationKind.COUNT);
        assertEquals(sameCombo, same, AccumulatorTesting.allCombos().get(i) + " vs " + AccumulatorTesting.allCombos().get(j));
      }
    }
    Accumulator top = AccumulatorCoder.fromBytes(AccumulatorCoder.toBytes(Aggregators.create(Aggregation.topK(2), ColumnType.STRING)));
    for (String s : List.of("a", "c", "b")) {
      top.add(s, 0);
    }
    assertEquals(List.of("c", "b"), top.result());
    assertThrows(IllegalArgumentException.class, () -> top.add(1L, 0)); // the type survived too
  }

  @Test
  void formatIsStable() throws Exception {
    // golden encodings: changing them breaks restoring saved state (Flink savepoints, Dataflow updates)
    Accumulator count = Aggregators.create(Aggregation.of(AggregationKind.COUNT), null);
    count.add(null, 0);
    count.add("x", 0);
    CoderProperties.coderEncodesBase64(CODER, count, "AQEC");
    Accumulator sum = Aggregators.create(Aggregation.of(AggregationKind.SUM), ColumnType.INT64);
    sum.add(-3L, 0);
    CoderProperties.coderEncodesBase64(CODER, sum, "AQIC_____________________Q");
    Accumulator max = Aggregators.create(Aggregation.of(AggregationKind.MAX), ColumnType.STRING);
    max.add("hé", 0);
    CoderProperties.coderEncodesBase64(CODER, max, "AQgBAwNow6k");
  }

  @Test
  void rejectsForeignAndCorruptInput() {
    Accumulator foreign = new Accumulator() {
      @Override
      public void add(Object value, long eventTimeNanos) {}

      @Override
      public void mergeFrom(Accumulator other) {}

      @Override
      public Object result() {
        return null;
      }

      @Override
      public Accumulator copy() {
        return this;
      }
    };
    assertThrows(CoderException.class, () -> CODER.encode(foreign, new ByteArrayOutputStream()));
    assertThrows(IllegalArgumentException.class, () -> AccumulatorCoder.fromBytes(new byte[] {2, 1, 0}));
    assertThrows(IllegalArgumentException.class, () -> AccumulatorCoder.fromBytes(new byte[] {1, 99}));
    assertThrows(IllegalArgumentException.class, () -> AccumulatorCoder.fromBytes(new byte[] {1, 1, 0, 0}));
    byte[] top = AccumulatorCoder.toBytes(fill(Aggregators.create(Aggregation.topK(3), ColumnType.INT64),
        List.of(new Event(1L, 0), new Event(2L, 0))));
    assertThrows(IllegalArgumentException.class, () -> AccumulatorCoder.fromBytes(Arrays.copyOf(top, top.length - 1)));
    assertThrows(IOException.class, () -> CODER.decode(new ByteArrayInputStream(new byte[0])));
  }
}
