package io.featurepipe.transforms.sideinput;

import io.featurepipe.transforms.testing.FlinkBatch;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Each element gets its own window's side input, however the bundle mixes windows: on the
 * DirectRunner, and on Flink batch with one worker, whose bundle is all of its input (on the
 * DataStream API, as featurepipe runs batch jobs, and on the DataSet API).
 */
class BundleSideInputTest {

  static final class TagFn extends DoFn<String, KV<String, Long>> {
    private final BundleSideInput<Long> total;

    TagFn(PCollectionView<Long> total) {
      this.total = BundleSideInput.of(total);
    }

    @StartBundle
    public void start() {
      total.reset();
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      c.output(KV.of(c.element(), total.get(c, window)));
    }
  }

  @Test
  void everyElementReadsTheValueOfItsWindowOnTheDirectRunner() {
    check(TestPipeline.create().enableAbandonedNodeEnforcement(false));
  }

  @Test
  void everyElementReadsTheValueOfItsWindowOnFlinkBatch() {
    // as featurepipe's commands run a batch job on Flink: the DataStream API in BATCH mode
    check(TestPipeline.fromOptions(FlinkBatch.options(1)).enableAbandonedNodeEnforcement(false));
  }

  @Test
  void everyElementReadsTheValueOfItsWindowOnFlinksDataSetApi() {
    // --useDataStreamForBatch=false: Beam's other batch translation, still a user's choice
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster("[local]");
    o.setParallelism(1);
    o.setUseDataStreamForBatch(false);
    check(TestPipeline.fromOptions(o).enableAbandonedNodeEnforcement(false));
  }

  private static void check(TestPipeline p) {
    // elements of three one-hour windows, interleaved so a bundle goes back and forth between them
    List<TimestampedValue<String>> elements = List.of(
        TimestampedValue.of("a1", new Instant(0)),
        TimestampedValue.of("b1", new Instant(3_600_000)),
        TimestampedValue.of("a2", new Instant(10)),
        TimestampedValue.of("c1", new Instant(7_200_000)),
        TimestampedValue.of("b2", new Instant(3_600_010)),
        TimestampedValue.of("a3", new Instant(20)));
    PCollection<String> windowed =
        p.apply(Create.timestamped(elements).withCoder(StringUtf8Coder.of()))
            .apply(Window.into(FixedWindows.of(Duration.standardHours(1))));
    PCollectionView<Long> counts =
        windowed
            .apply("CountPerWindow", Combine.globally(Count.<String>combineFn()).withoutDefaults())
            .apply(View.asSingleton());
    PCollection<KV<String, Long>> tagged =
        windowed.apply("Tag", ParDo.of(new TagFn(counts)).withSideInputs(counts))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PAssert.that(tagged).containsInAnyOrder(
        KV.of("a1", 3L), KV.of("a2", 3L), KV.of("a3", 3L), KV.of("b1", 2L), KV.of("b2", 2L), KV.of("c1", 1L));
    p.run().waitUntilFinish();
  }
}
