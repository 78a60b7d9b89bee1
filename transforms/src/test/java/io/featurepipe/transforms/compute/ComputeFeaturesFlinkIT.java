package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import io.featurepipe.transforms.testing.FlinkBatch;
import io.featurepipe.transforms.testing.ScriptedSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same promise on the Flink runner (embedded mini-cluster): a bounded run on Flink is
 * bit-identical to one on the DirectRunner, and an unbounded Flink run (streaming mode, events out
 * of order, late and too late) equals the bounded run over the same events minus its late-data
 * output.
 */
class ComputeFeaturesFlinkIT {
  private static final long WATERMARK_STEP = StreamScenario.HOUR;

  private static FeatureRepository repo;
  private static StreamScenario scenario;
  private static Map<String, FeatureRow> directBatch;

  @BeforeAll
  static void directRunnerBaseline() throws Exception {
    repo = StreamScenario.repository();
    scenario = StreamScenario.generate(11, 400, 36, WATERMARK_STEP);
    directBatch = StreamScenario.unique(runBounded(Pipeline.create(direct()), "direct", scenario.onTime()));
  }

  @Test
  void boundedOnFlinkIsBitIdenticalToDirect() throws Exception {
    Map<String, FeatureRow> flink = StreamScenario.unique(runBounded(Pipeline.create(flink(false)), "flinkBatch", scenario.onTime()));
    assertEquals("", StreamScenario.difference(directBatch, flink));
    for (Map.Entry<String, FeatureRow> e : directBatch.entrySet()) {
      FeatureRow a = e.getValue();
      FeatureRow b = flink.get(e.getKey());
      org.junit.jupiter.api.Assertions.assertArrayEquals(bytes(a), bytes(b), "encoded row " + e.getKey());
    }
  }

  @Test
  void unboundedOnFlinkEqualsBoundedMinusLateData() throws Exception {
    ScriptedSource.Script<SourceRecord> script = new ScriptedSource.Script<>();
    long watermark = Long.MIN_VALUE;
    for (StreamScenario.Arrival a : scenario.arrivals) {
      if (a.watermarkBefore() > watermark) {
        watermark = a.watermarkBefore();
        script.advanceWatermarkTo(watermark);
      }
      script.add(a.record(), a.record().eventTimeMillis());
    }
    FlinkPipelineOptions options = flink(true);
    options.setAutoWatermarkInterval(20L);
    // Beam on Flink holds a step's output watermark until its open bundle finishes: short bundles
    // let each watermark advance overtake the script's pause and reach the lateness step before
    // the events that follow it.
    options.setMaxBundleTimeMills(20L);
    Pipeline p = Pipeline.create(options);
    String run = "flinkStream-" + System.nanoTime();
    PCollection<SourceRecord> records =
        p.apply("Script", Read.from(new ScriptedSource<>(script, SourceRecordCoder.of(), 400)));
    FeatureOutputs out =
        PCollectionTuple.of(ComputeFeatures.sourceTag("events"), records)
            .apply("ComputeFeatures", ComputeFeatures.of(repo));
    out.rows().apply("CollectRows", Collected.into(run + "/rows"));
    out.lateEvents().apply("CollectLate", Collected.into(run + "/late"));
    out.deadLetters().apply("CollectDead", Collected.into(run + "/dead"));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    TreeSet<String> late = new TreeSet<>();
    for (DeadLetter d : Collected.<DeadLetter>get(run + "/late")) {
      late.add(d.origin());
    }
    TreeSet<String> ruleLate = new TreeSet<>();
    scenario.tooLate().forEach(r -> ruleLate.add(r.origin()));
    TreeSet<String> mustBeLate = new TreeSet<>();
    scenario.tooLateAtWarmShards(ComputeFeatures.DEFAULT_LATENESS_SHARDS).forEach(r -> mustBeLate.add(r.origin()));
    assertTrue(mustBeLate.size() >= 5, "the scenario must hold too-late events: " + mustBeLate);
    assertTrue(ruleLate.containsAll(late), "no event is rejected that the rule admits: " + late);
    assertTrue(late.containsAll(mustBeLate), "every too-late event at a warm shard is rejected: " + late + " vs " + mustBeLate);
    assertEquals(List.of(), Collected.get(run + "/dead"));
    List<FeatureRow> rows = Collected.get(run + "/rows");
    assertTrue(rows.stream().anyMatch(FeatureRow::restated), "late data restated rows");
    Map<String, FeatureRow> expected =
        late.equals(ruleLate)
            ? directBatch
            : StreamScenario.unique(runBounded(Pipeline.create(direct()), "directMinusActualLate", scenario.allBut(late)));
    assertEquals("", StreamScenario.difference(expected, StreamScenario.latest(rows)));
  }

  /**
   * {@link RowsEmittedLateTest}'s scenario on Flink, streaming: the flag of a row emitted behind the
   * watermark rests on the emit timer seeing the input watermark ({@code
   * Timer.getCurrentRelativeTime()}), which each runner implements. A key first seen through late
   * data has exactly its rows behind the watermark flagged; no row of the keys seen on time is.
   */
  @Test
  void rowsEmittedBehindTheWatermarkAreFlaggedOnFlink() throws Exception {
    long start = StreamScenario.START;
    long hour = StreamScenario.HOUR;
    long minute = StreamScenario.MINUTE;
    ScriptedSource.Script<SourceRecord> script = new ScriptedSource.Script<>();
    for (TimestampedValue<SourceRecord> e : List.of(
        RowsEmittedLateTest.event("ana", start + 10 * minute, 1), RowsEmittedLateTest.event("ana", start + 20 * minute, 2),
        RowsEmittedLateTest.event("yan", start + 50 * minute, 5))) {
      script.add(e.getValue(), e.getTimestamp().getMillis());
    }
    // ana's rows of 01:00 to 03:00 come out as the watermark passes them; zed, never seen, 95
    // minutes late (allowed: 2 h), then has rows of 02:00 and 03:00 behind it
    script.advanceWatermarkTo(start + 3 * hour + 5 * minute);
    TimestampedValue<SourceRecord> zed = RowsEmittedLateTest.event("zed", start + 90 * minute, 3);
    script.add(zed.getValue(), zed.getTimestamp().getMillis());
    script.advanceWatermarkTo(start + 3 * hour + 10 * minute);
    FlinkPipelineOptions options = flink(true);
    options.setAutoWatermarkInterval(20L);
    options.setMaxBundleTimeMills(20L); // as above: each advance reaches the window step before the next event
    Pipeline p = Pipeline.create(options);
    String run = "flinkLateRows-" + System.nanoTime();
    PCollectionTuple.of(ComputeFeatures.sourceTag("events"),
            p.apply("Script", Read.from(new ScriptedSource<>(script, SourceRecordCoder.of(), 400))))
        .apply("ComputeFeatures", ComputeFeatures.of(repo))
        .rows()
        .apply("CollectRows", Collected.into(run));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    List<String> flagged = new ArrayList<>();
    long onTime = 0;
    for (FeatureRow r : Collected.<FeatureRow>get(run)) {
      if (!r.group().equals("activity")) {
        continue;
      }
      if (r.restated()) {
        flagged.add(r.identity());
      } else if (!r.key().equals(List.of("zed"))) {
        onTime++;
      }
    }
    assertEquals(new TreeSet<>(List.of("activity|[zed]|" + (start + 2 * hour), "activity|[zed]|" + (start + 3 * hour))),
        new TreeSet<>(flagged), "only zed's rows behind the watermark are flagged, once each");
    assertTrue(onTime >= 10, "rows on time: " + onTime);
    assertEquals(2, RowsEmittedLateTest.counter(result, "feature_rows_emitted_late"));
  }

  private static PipelineOptions direct() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(DirectRunner.class);
    return options;
  }

  private static List<FeatureRow> runBounded(Pipeline p, String name, List<SourceRecord> events) {
    String box = name + "-" + System.nanoTime();
    List<TimestampedValue<SourceRecord>> onTime = new ArrayList<>();
    for (SourceRecord r : events) {
      onTime.add(TimestampedValue.of(r, new Instant(r.eventTimeMillis())));
    }
    PCollection<SourceRecord> records =
        p.apply("Events", Create.timestamped(onTime).withCoder(SourceRecordCoder.of()));
    FeatureOutputs out =
        PCollectionTuple.of(ComputeFeatures.sourceTag("events"), records)
            .apply("ComputeFeatures", ComputeFeatures.of(repo));
    out.rows().apply("Collect", Collected.into(box));
    p.run().waitUntilFinish();
    return Collected.get(box);
  }

  /** A stream, or a batch job as featurepipe's commands run one on Flink ({@link FlinkBatch}). */
  private static FlinkPipelineOptions flink(boolean streaming) {
    if (!streaming) {
      return FlinkBatch.options(2);
    }
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster("[local]");
    o.setParallelism(2);
    o.setStreaming(true);
    return o;
  }

  private static byte[] bytes(FeatureRow row) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    // sequence and online writes may legitimately differ between runs; values must not
    FeatureRow.Coder.of()
        .encode(new FeatureRow(row.group(), row.version(), row.key(), row.windowEndMillis(), row.values(), row.empty(), new java.util.BitSet(), false, 0), out);
    return out.toByteArray();
  }
}
