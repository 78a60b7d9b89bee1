package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dead letters for records expressions fail on, and hot keys pre-combined before assembly. */
class ComputeFeaturesBehaviourTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  private static final String YAML =
      """
      kind: source
      name: s
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string}
        - {name: qty, type: int}
        - {name: price, type: double}
      bounded: {path: "x"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: feature_group
      name: revenue
      entity: user
      source: s
      keys: {user: user}
      derive:
        unit: "price / double(qty)"
        bulk: "10 / qty"
      hop: 1h
      features:
        - {name: n, agg: count, window: 1h}
        - {name: bulk_sum, agg: sum, column: bulk, window: 1h}
      ---
      kind: feature_group
      name: activity
      entity: user
      source: s
      keys: {user: user}
      hop: 1h
      features:
        - {name: n, agg: count, window: 1h}
      """;

  private static TimestampedValue<SourceRecord> event(int i, String user, Long qty, Double price) {
    long nanos = (T0 + i * 1000L) * 1_000_000L;
    return TimestampedValue.of(
        new SourceRecord("s", nanos, new Object[] {nanos, user, qty, price}, "test:" + i),
        new Instant(T0 + i * 1000L));
  }

  @Test
  void recordsAnExpressionFailsOnGoToDeadLettersWithTheReasonAndOtherGroupsStillUseThem(TestPipeline p)
      throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", YAML));
    List<TimestampedValue<SourceRecord>> events = new ArrayList<>();
    events.add(event(0, "ana", 20L, 10.0));
    events.add(event(1, "ana", 0L, 10.0)); // qty 0: integer division by zero in 'bulk'
    events.add(event(2, null, 5L, 1.0)); // null key
    events.add(event(3, "bo", null, 1.0)); // null qty: arithmetic on null
    PCollection<SourceRecord> records =
        p.apply(Create.timestamped(events).withCoder(SourceRecordCoder.of()));
    String box = "dead-" + System.nanoTime();
    FeatureOutputs out =
        PCollectionTuple.of(ComputeFeatures.sourceTag("s"), records).apply(ComputeFeatures.of(repo));
    out.deadLetters().apply("CollectDead", Collected.into(box + "/dead"));
    out.rows().apply("CollectRows", Collected.into(box + "/rows"));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    List<DeadLetter> dead = Collected.get(box + "/dead");
    Map<String, String> byOriginAndStep = new java.util.TreeMap<>();
    for (DeadLetter d : dead) {
      byOriginAndStep.put(d.origin() + " " + d.step(), d.reason());
      assertTrue(d.payload().startsWith("{\"ts\":"), d.payload());
    }
    assertEquals(4, dead.size(), byOriginAndStep.toString());
    assertTrue(byOriginAndStep.get("test:1 PrepareGroups/revenue").contains("by zero"), byOriginAndStep.toString());
    assertTrue(byOriginAndStep.get("test:2 PrepareGroups/revenue").contains("key 'user' is null"));
    assertTrue(byOriginAndStep.get("test:2 PrepareGroups/activity").contains("key 'user' is null"));
    assertTrue(byOriginAndStep.containsKey("test:3 PrepareGroups/revenue"));
    // 'activity' has no expressions that fail on qty: it counts records 0, 1 and 3
    long activityEvents =
        Collected.<FeatureRow>get(box + "/rows").stream()
            .filter(r -> r.group().equals("activity") && !r.empty())
            .mapToLong(r -> (Long) r.values()[0])
            .sum();
    assertEquals(3, activityEvents);
    assertEquals(3, counter(result, "dead_letters_prepare_revenue"));
    assertEquals(1, counter(result, "dead_letters_prepare_activity"));
  }

  /** Runs group {@code activity} over the events; its rows go to the box {@code box}. */
  private static PipelineResult runActivity(TestPipeline p, List<TimestampedValue<SourceRecord>> events, String box)
      throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", YAML));
    PCollection<SourceRecord> records =
        p.apply(Create.timestamped(events).withCoder(SourceRecordCoder.of()));
    PCollectionTuple.of(ComputeFeatures.sourceTag("s"), records)
        .apply(ComputeFeatures.of(repo).withGroups(List.of("activity")))
        .rows()
        .apply(Collected.into(box));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }

  @Test
  void aHotKeyReachesWindowAssemblyAsFewPartialTilesNotAsEvents(TestPipeline p) throws Exception {
    List<TimestampedValue<SourceRecord>> events = new ArrayList<>();
    int n = 30_000;
    for (int i = 0; i < n; i++) {
      events.add(event(i % 3000, "hot", 10L, 1.0)); // 30k events in under an hour
    }
    String box = "hot-" + System.nanoTime();
    PipelineResult result = runActivity(p, events, box);
    List<FeatureRow> rows = Collected.get(box);
    assertEquals((long) n, rows.get(0).values()[0]);
    long partials = counter(result, "partial_tiles");
    assertEquals(n, counter(result, "events_aggregated"));
    assertTrue(partials * 20 < n, "the hot key reached assembly as " + partials + " partial tiles");
  }

  @Test
  void aKeysPartialTilesOfABundleReachWindowAssemblyTogether(TestPipeline p) throws Exception {
    List<TimestampedValue<SourceRecord>> events = new ArrayList<>();
    int hops = 240;
    for (int h = 0; h < hops; h++) {
      for (int j = 0; j < 5; j++) {
        events.add(event(h * 3600 + j * 10, "a", 1L, 1.0));
        events.add(event(h * 3600 + j * 10 + 1, "b", 1L, 1.0));
        events.add(event(h * 3600 + j * 10 + 2, "b", 1L, 1.0));
      }
    }
    String box = "batched-" + System.nanoTime();
    PipelineResult result = runActivity(p, events, box);
    Map<String, Map<Long, Object>> counts = new java.util.TreeMap<>();
    for (FeatureRow row : Collected.<FeatureRow>get(box)) {
      if (!row.empty()) {
        counts.computeIfAbsent((String) row.key().get(0), k -> new java.util.TreeMap<>())
            .put(row.windowEndMillis(), row.values()[0]);
      }
    }
    for (String user : List.of("a", "b")) {
      assertEquals(hops, counts.get(user).size(), user + ": " + counts.get(user));
      for (int h = 0; h < hops; h++) {
        assertEquals(user.equals("a") ? 5L : 10L, counts.get(user).get(T0 + (h + 1) * 3_600_000L), user + " hop " + h);
      }
    }
    long tiles = counter(result, "partial_tiles");
    long batches = counter(result, "partial_tile_batches");
    assertTrue(tiles >= 2L * hops, "every hop of each key is a partial tile: " + tiles);
    assertTrue(batches >= 2, "at least one element per key: " + batches);
    assertTrue(batches * 4 < tiles, "each key's tiles of a bundle travel as one element: " + batches + " for " + tiles + " tiles");
  }

  @Test
  void groupsSharingAFilterEachKeepFilterAndDeadLetterTheirRecords(TestPipeline p) throws Exception {
    String shared = "qty > 2";
    String yaml = YAML.substring(0, YAML.indexOf("---\nkind: feature_group"));
    for (String[] g : new String[][] {{"big", shared}, {"big_too", shared}, {"bigger", "qty > 5"}, {"all", null}}) {
      yaml += "---\nkind: feature_group\nname: " + g[0] + "\nentity: user\nsource: s\nkeys: {user: user}\n"
          + (g[1] == null ? "" : "filter: \"" + g[1] + "\"\n")
          + "hop: 1h\nfeatures:\n  - {name: n, agg: count, window: 1h}\n";
    }
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", yaml));
    List<TimestampedValue<SourceRecord>> events = new ArrayList<>();
    long[] qty = {1, 3, 4, 6, 9, 2};
    for (int i = 0; i < qty.length; i++) {
      events.add(event(i, "ana", qty[i], 1.0));
    }
    events.add(event(6, "bo", null, 1.0)); // null qty: both filters fail
    PCollection<SourceRecord> records = p.apply(Create.timestamped(events).withCoder(SourceRecordCoder.of()));
    String box = "shared-" + System.nanoTime();
    FeatureOutputs out = PCollectionTuple.of(ComputeFeatures.sourceTag("s"), records).apply(ComputeFeatures.of(repo));
    out.deadLetters().apply("CollectDead", Collected.into(box + "/dead"));
    out.rows().apply("CollectRows", Collected.into(box + "/rows"));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    Map<String, Long> kept = new java.util.TreeMap<>();
    for (FeatureRow r : Collected.<FeatureRow>get(box + "/rows")) {
      if (!r.empty()) {
        kept.merge(r.group(), (Long) r.values()[0], Long::sum);
      }
    }
    assertEquals(Map.of("all", 7L, "big", 4L, "big_too", 4L, "bigger", 2L), kept);
    Map<String, String> dead = new java.util.TreeMap<>();
    Collected.<DeadLetter>get(box + "/dead").forEach(d -> dead.put(d.step() + " " + d.origin(), d.reason()));
    assertEquals(List.of("PrepareGroups/big test:6", "PrepareGroups/big_too test:6", "PrepareGroups/bigger test:6"),
        List.copyOf(dead.keySet()));
    assertTrue(dead.get("PrepareGroups/big_too test:6").contains("qty > 2"), dead.toString());
    assertTrue(dead.get("PrepareGroups/bigger test:6").contains("qty > 5"), dead.toString());
    assertEquals(2, counter(result, "filtered_out_big"));
    assertEquals(2, counter(result, "filtered_out_big_too"));
    assertEquals(4, counter(result, "filtered_out_bigger"));
    assertEquals(1, counter(result, "dead_letters_prepare_big"));
    assertEquals(1, counter(result, "dead_letters_prepare_big_too"));
  }

  static long counter(PipelineResult result, String name) {
    return counter(result, name, "");
  }

  /** A featurepipe counter, summed over the steps whose names start with {@code stepPrefix}. */
  static long counter(PipelineResult result, String name, String stepPrefix) {
    long sum = 0;
    for (MetricResult<Long> c :
        result.metrics()
            .queryMetrics(
                MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build())
            .getCounters()) {
      if (c.getKey().stepName().startsWith(stepPrefix)) {
        sum += c.getAttempted();
      }
    }
    return sum;
  }

  @Test
  void windowAssemblyIsKeyedHashFirstInBatchJobsAndByTheSavepointsBytesInStreams() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", YAML));
    assertEquals(GroupKey.HashFirstCoder.of(), assemblyKeyCoder(repo, Pipeline.create(), true));
    assertEquals(GroupKey.Coder.of(), assemblyKeyCoder(repo, Pipeline.create(), false));
    // a bounded replay run as a stream may take savepoints: it keeps their bytes
    StreamingOptions streaming = PipelineOptionsFactory.as(StreamingOptions.class);
    streaming.setStreaming(true);
    assertEquals(GroupKey.Coder.of(), assemblyKeyCoder(repo, Pipeline.create(streaming), true));
  }

  /** The key coder of the tiles window assembly reads, from a bounded or an unbounded source. */
  private static Object assemblyKeyCoder(FeatureRepository repo, Pipeline p, boolean bounded) {
    PCollection<SourceRecord> records =
        bounded
            ? p.apply(Create.timestamped(List.of(event(0, "ana", 1L, 1.0))).withCoder(SourceRecordCoder.of()))
            : p.apply(TestStream.create(SourceRecordCoder.of()).advanceWatermarkToInfinity());
    PCollectionTuple.of(ComputeFeatures.sourceTag("s"), records).apply(ComputeFeatures.of(repo));
    List<Object> found = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitValue(PValue value, TransformHierarchy.Node producer) {
        if (producer.getFullName().contains("/PreAggregateTiles/")) {
          found.add(((KvCoder<?, ?>) ((PCollection<?>) value).getCoder()).getKeyCoder());
        }
      }
    });
    assertEquals(1, found.size(), "one PreAggregateTiles output: " + found);
    return found.get(0);
  }
}
