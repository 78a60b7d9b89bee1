package io.featurepipe.transforms.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Combining within bundles first gives what the plain combine gives: every element counted once
 * in its window (a combine that lists its inputs would show a lost or doubled one), the default
 * for an empty global window, late elements dropped alike, keys kept apart by their encoding; and
 * windowing it cannot honour is refused.
 */
class CombineInBundlesTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  private static final Instant T0 = new Instant(1_767_225_600_000L); // 2026-01-01T00:00Z
  private static final Duration HOUR = Duration.standardHours(1);

  /** Lists its inputs, sorted: any lost, doubled or misplaced input changes the output. */
  static final class ListSorted extends Combine.CombineFn<Long, List<Long>, String> {
    @Override
    public List<Long> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<Long> addInput(List<Long> acc, Long input) {
      acc.add(input);
      return acc;
    }

    @Override
    public List<Long> mergeAccumulators(Iterable<List<Long>> accumulators) {
      // into the first, as Beam's own CombineFns do: only the grouping's accumulator may change
      java.util.Iterator<List<Long>> all = accumulators.iterator();
      List<Long> merged = all.next();
      all.forEachRemaining(merged::addAll);
      return merged;
    }

    @Override
    public String extractOutput(List<Long> acc) {
      List<Long> sorted = new ArrayList<>(acc);
      Collections.sort(sorted);
      return sorted.size() + ":" + sorted;
    }

    @Override
    public Coder<List<Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<Long> inputCoder) {
      return ListCoder.of(VarLongCoder.of());
    }
  }

  @Test
  void streamedWindowsEqualThePlainCombine(TestPipeline p) {
    Random random = new Random(7);
    TestStream.Builder<Long> stream = TestStream.create(VarLongCoder.of()).advanceWatermarkTo(T0);
    long value = 0;
    for (int step = 0; step < 6; step++) {
      List<TimestampedValue<Long>> batch = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        // elements of the current and the next hour, in no order
        long offset = step * 1_800_000L + random.nextInt(3_600_000);
        batch.add(TimestampedValue.of(value++, T0.plus(Duration.millis(offset))));
      }
      stream = stream.addElements(batch.get(0), batch.subList(1, batch.size()).toArray(TimestampedValue[]::new))
          .advanceWatermarkTo(T0.plus(Duration.millis(step * 1_800_000L + 1)));
    }
    // one element late for the first hour (its end has passed): dropped by both
    TestStream<Long> events = stream
        .advanceWatermarkTo(T0.plus(HOUR).plus(HOUR).plus(HOUR))
        .addElements(TimestampedValue.of(-1L, T0.plus(Duration.standardMinutes(5))))
        .advanceWatermarkToInfinity();

    PCollection<Long> windowed = p.apply(events).apply(Window.into(FixedWindows.of(HOUR)));
    PCollection<String> plain = windowed.apply("Plain", Combine.globally(new ListSorted()).withoutDefaults());
    PCollection<String> inBundles =
        windowed.apply("InBundles", CombineInBundles.globally(new ListSorted()).withoutDefaults());

    PAssert.that(inBundles).satisfies(actual -> {
      List<String> sorted = sortedCopy(actual);
      assertEquals(4, sorted.size(), "one output per hour");
      sorted.forEach(s -> assertTrue(!s.contains("-1"), "the late element was dropped: " + s));
      return null;
    });
    assertEqualOutputs(plain, inBundles);
    long firstHour = countInFirstHour(events);
    PAssert.that(inBundles)
        .inWindow(new IntervalWindow(T0, HOUR))
        .satisfies(first -> {
          String only = first.iterator().next();
          assertTrue(only.startsWith(firstHour + ":"), only);
          return null;
        });
    p.run().waitUntilFinish();
  }

  @Test
  void anEmptyGlobalWindowGivesTheDefault(TestPipeline p) {
    PCollection<Long> none = p.apply(Create.empty(VarLongCoder.of()));
    PAssert.thatSingleton(none.apply(CombineInBundles.globally(new ListSorted()))).isEqualTo("0:[]");
    p.run().waitUntilFinish();
  }

  @Test
  void keysAreCombinedApart(TestPipeline p) {
    List<KV<String, Long>> input = new ArrayList<>();
    Random random = new Random(11);
    for (long i = 0; i < 5_000; i++) {
      input.add(KV.of("k" + random.nextInt(7), i));
    }
    PCollection<KV<String, Long>> keyed =
        p.apply(Create.of(input).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
    assertEqualOutputs(
        keyed.apply("Plain", Combine.perKey(new ListSorted())),
        keyed.apply("InBundles", CombineInBundles.perKey(new ListSorted())));
    p.run().waitUntilFinish();
  }

  @Test
  void keysAreComparedByTheirEncoding(TestPipeline p) {
    // byte[] keys: equal contents are one key although the arrays are not equal()
    // (held apart within a bundle by the key coder's structural value)
    List<KV<byte[], Long>> input = new ArrayList<>();
    for (long i = 0; i < 600; i++) {
      input.add(KV.of(new byte[] {(byte) (i % 3)}, i));
    }
    PCollection<KV<byte[], Long>> keyed =
        p.apply(Create.of(input).withCoder(KvCoder.of(ByteArrayCoder.of(), VarLongCoder.of())));
    PCollection<KV<byte[], String>> combined = keyed.apply(CombineInBundles.perKey(new ListSorted()));
    PAssert.that(combined).satisfies(outputs -> {
      List<String> keys = new ArrayList<>();
      outputs.forEach(kv -> {
        keys.add(java.util.Arrays.toString(kv.getKey()));
        assertTrue(kv.getValue().startsWith("200:"), kv.getValue());
      });
      Collections.sort(keys);
      assertEquals(List.of("[0]", "[1]", "[2]"), keys);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void unsupportedWindowingIsRefused(TestPipeline p) {
    PCollection<Long> input = p.apply(Create.of(1L, 2L));
    PCollection<Long> sessions = input.apply("Sessions", Window.into(Sessions.withGapDuration(HOUR)));
    assertRefused(sessions, "non-merging");
    PCollection<Long> counted = input.apply("EveryTwo", Window.<Long>into(FixedWindows.of(HOUR))
        .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(2)))
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes());
    assertRefused(counted, "default trigger");
    PCollection<Long> earliest = input.apply("Earliest", Window.<Long>into(FixedWindows.of(HOUR))
        .withTimestampCombiner(TimestampCombiner.EARLIEST));
    assertRefused(earliest, "end of the window");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CombineInBundles.globally(new ListSorted()).withFanout(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    p.enableAbandonedNodeEnforcement(false);
  }

  private static void assertRefused(PCollection<Long> input, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> input.apply(CombineInBundles.globally(new ListSorted()).withoutDefaults()));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  private static long countInFirstHour(TestStream<Long> events) {
    long n = 0;
    for (TestStream.Event<Long> event : events.getEvents()) {
      if (event instanceof TestStream.ElementEvent<Long> elements) {
        for (TimestampedValue<Long> v : elements.getElements()) {
          if (v.getValue() >= 0 && v.getTimestamp().isBefore(T0.plus(HOUR))) {
            n++;
          }
        }
      }
    }
    return n;
  }

  private static <T> void assertEqualOutputs(PCollection<T> expected, PCollection<T> actual) {
    PCollection<KV<String, String>> tagged = PCollectionList
        .of(tag(expected, "expected")).and(tag(actual, "actual"))
        .apply(expected.getName() + "Flatten", Flatten.pCollections());
    PAssert.that(tagged.apply(expected.getName() + "Pairs", GroupByKey.create()))
        .satisfies(groups -> {
          groups.forEach(g -> {
            List<String> sides = sortedCopy(g.getValue());
            assertTrue(sides.size() == 2 && sides.get(0).equals("actual") && sides.get(1).equals("expected"),
                "output " + g.getKey() + " came from " + sides);
          });
          return null;
        });
  }

  private static <T> PCollection<KV<String, String>> tag(PCollection<T> outputs, String side) {
    return outputs.apply(side + "Tag", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via((T o) -> KV.of(String.valueOf(o), side)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
  }

  private static List<String> sortedCopy(Iterable<String> values) {
    List<String> list = new ArrayList<>();
    values.forEach(list::add);
    Collections.sort(list);
    return list;
  }
}
