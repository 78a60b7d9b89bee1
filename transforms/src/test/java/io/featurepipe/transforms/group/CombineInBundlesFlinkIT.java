package io.featurepipe.transforms.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.testing.Collected;
import io.featurepipe.transforms.testing.ScriptedSource;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * On the Flink runner in streaming mode, with small bundles, checkpoints and bundles finished
 * before each barrier (featurepipe's stream defaults), combining within bundles first gives the
 * plain combine's output per window and per key: no element lost, doubled or dropped as late
 * where the plain combine kept it; elements behind an expired window dropped by both.
 */
class CombineInBundlesFlinkIT {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;

  @Test
  void streamedOnFlinkEqualsThePlainCombine() {
    Random random = new Random(5);
    ScriptedSource.Script<Long> script = new ScriptedSource.Script<>();
    long value = 0;
    long lateCount = 0;
    for (int step = 0; step < 8; step++) {
      for (int i = 0; i < 150; i++) {
        // elements of the current half hour and the next hour, in no order
        script.add(value++, T0 + step * HOUR / 2 + random.nextInt((int) HOUR));
      }
      script.advanceWatermarkTo(T0 + step * HOUR / 2);
      if (step >= 4) {
        // far behind: the first hour's end has long passed (negative values mark them)
        script.add(-(++lateCount), T0 + 60_000L);
      }
    }
    String run = "combineInBundles-" + System.nanoTime();
    Pipeline p = Pipeline.create(streamingFlink());
    PCollection<Long> windowed = p.apply("Script", Read.from(new ScriptedSource<>(script, VarLongCoder.of(), 400)))
        .apply("Hourly", Window.into(FixedWindows.of(Duration.millis(HOUR))));
    windowed.apply("Plain", Combine.globally(new CombineInBundlesTest.ListSorted()).withoutDefaults())
        .apply("StampPlain", ParDo.of(new WithWindow<>()))
        .apply("CollectPlain", Collected.into(run + "/plain"));
    windowed.apply("InBundles", CombineInBundles.globally(new CombineInBundlesTest.ListSorted()).withoutDefaults())
        .apply("StampInBundles", ParDo.of(new WithWindow<>()))
        .apply("CollectInBundles", Collected.into(run + "/inBundles"));
    PCollection<KV<String, Long>> keyed = windowed
        .apply("ByParity", WithKeys.of((Long v) -> v % 2 == 0 ? "even" : "odd"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    keyed.apply("PlainPerKey", Combine.perKey(new CombineInBundlesTest.ListSorted()))
        .apply("StampPlainPerKey", ParDo.of(new WithWindow<>()))
        .apply("CollectPlainPerKey", Collected.into(run + "/plainPerKey"));
    keyed.apply("InBundlesPerKey", CombineInBundles.perKey(new CombineInBundlesTest.ListSorted()))
        .apply("StampInBundlesPerKey", ParDo.of(new WithWindow<>()))
        .apply("CollectInBundlesPerKey", Collected.into(run + "/inBundlesPerKey"));
    p.run().waitUntilFinish();

    TreeMap<String, String> plain = byWindow(Collected.get(run + "/plain"));
    TreeMap<String, String> inBundles = byWindow(Collected.get(run + "/inBundles"));
    assertEquals(5, plain.size(), "one output per hour: " + plain.keySet());
    assertEquals(plain, inBundles);
    assertEquals(byWindow(Collected.get(run + "/plainPerKey")), byWindow(Collected.get(run + "/inBundlesPerKey")));
    long counted = 0;
    for (String out : inBundles.values()) {
      assertTrue(!out.contains("-"), "a late element was counted: " + out);
      counted += Long.parseLong(out.substring(out.indexOf(' ') + 1, out.indexOf(':')));
    }
    assertEquals(value, counted, "every on-time element once");
  }

  /** "window-start output", one string per output, so outputs compare per window. */
  private static final class WithWindow<T> extends DoFn<T, String> {
    @ProcessElement
    public void process(@Element T element, BoundedWindow window, OutputReceiver<String> out) {
      out.output(((IntervalWindow) window).start().getMillis() + " " + element);
    }
  }

  private static TreeMap<String, String> byWindow(List<String> outputs) {
    TreeMap<String, String> byWindow = new TreeMap<>();
    for (String o : outputs) {
      String previous = byWindow.put(o.substring(0, o.indexOf(' ')) + keyOf(o), o);
      assertEquals(null, previous, "two outputs for one window: " + previous + " and " + o);
    }
    return byWindow;
  }

  private static String keyOf(String output) {
    int kv = output.indexOf("KV{");
    return kv < 0 ? "" : output.substring(kv, output.indexOf(',', kv));
  }

  private static FlinkPipelineOptions streamingFlink() {
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster("[local]");
    o.setParallelism(2);
    o.setStreaming(true);
    o.setMaxBundleSize(40L); // many bundles per window
    o.setMaxBundleTimeMills(20L);
    o.setAutoWatermarkInterval(20L);
    o.setCheckpointingInterval(500L);
    o.setFinishBundleBeforeCheckpointing(true);
    return o;
  }
}
