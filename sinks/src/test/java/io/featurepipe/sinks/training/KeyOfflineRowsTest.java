package io.featurepipe.sinks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineRecords;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.testing.Collected;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.ReadAllViaFileBasedSourceTransform.SplitIntoRangesFn;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join reads the offline files in ranges, in the step that drops the rows no spine row looks
 * up ({@code Join/<group>/KeyOfflineRows}): every record of a file is read once whatever the
 * ranges, every row looked up leaves keyed by its bucket (on every salt of a hot bucket) with the
 * values written, and every row read is counted.
 */
class KeyOfflineRowsTest {
  private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final FeatureSelection SELECTION = FeatureSelection.parse(FeatureSelectionTest.REPO, "b:*");
  private static final FeatureGroupDef B = FeatureSelectionTest.REPO.group("b");

  /** 3,000 rows of group b: 30 (user, shop) keys, 100 hours each, in blocks of a few hundred bytes. */
  static List<FeatureRow> writeRows(File file, OfflineRecords records) throws Exception {
    List<FeatureRow> rows = new ArrayList<>();
    Random rnd = new Random(3);
    for (int k = 0; k < 30; k++) {
      for (int h = 0; h < 100; h++) {
        List<Object> key = List.of("u" + k, (long) (k % 4));
        Object[] values = {(long) rnd.nextInt(50), rnd.nextInt(5) == 0 ? null : rnd.nextDouble()};
        rows.add(new FeatureRow("b", B.version(), key, START + h * 3_600_000L, values, false, new BitSet(), false, 0));
      }
    }
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(records.schema()))) {
      w.setSyncInterval(256);
      w.create(records.schema(), file);
      for (FeatureRow r : rows) {
        w.append(records.toAvro(r));
      }
    }
    return rows;
  }

  @Test
  void rangesOfAFileReadEachOfItsRecordsOnceInOrder(@TempDir Path dir) throws Exception {
    OfflineRecords records = new OfflineRecords(B, SELECTION.entityOf(B));
    File file = dir.resolve("run-1-00000.avro").toFile();
    List<FeatureRow> written = writeRows(file, records);
    MatchResult.Metadata meta = FileSystems.matchSingleFileSpec(file.getPath());
    for (long size : new long[] {meta.sizeBytes(), 4096, 700, 97}) {
      List<OffsetRange> ranges = new OffsetRange(0, meta.sizeBytes()).split(size, 0);
      List<FeatureRow> read = new ArrayList<>();
      for (OffsetRange range : ranges) {
        RequestedRanges.read(records, (k, e) -> true, meta, range, PipelineOptionsFactory.create(), read::add);
      }
      assertTrue(size >= meta.sizeBytes() || ranges.size() > 5, "several ranges of " + size + " bytes");
      assertEquals(written.size(), read.size(), "every record once, in ranges of " + size + " bytes");
      assertTrue(written.equals(read), "in file order, with the values written, in ranges of " + size + " bytes");
    }
  }

  @Test
  void aFileWrittenInAnotherFieldOrderIsReadInTheGroupsSchema(@TempDir Path dir) throws Exception {
    OfflineRecords records = new OfflineRecords(B, SELECTION.entityOf(B));
    List<Schema.Field> reversed = new ArrayList<>();
    List<Schema.Field> fields = records.schema().getFields();
    for (int i = fields.size() - 1; i >= 0; i--) {
      Schema.Field f = fields.get(i);
      reversed.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal()));
    }
    Schema writer = Schema.createRecord(
        records.schema().getName(), null, records.schema().getNamespace(), false, reversed);
    File file = dir.resolve("run-1-00000.avro").toFile();
    List<FeatureRow> written = new ArrayList<>();
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(writer))) {
      w.setSyncInterval(256);
      w.create(writer, file);
      for (FeatureRow r : writeRows(dir.resolve("source.avro").toFile(), records)) {
        GenericRecord inSchema = records.toAvro(r);
        GenericData.Record out = new GenericData.Record(writer);
        fields.forEach(f -> out.put(f.name(), inSchema.get(f.name())));
        w.append(out);
        written.add(r);
      }
    }
    MatchResult.Metadata meta = FileSystems.matchSingleFileSpec(file.getPath());
    List<FeatureRow> read = new ArrayList<>();
    for (OffsetRange range : new OffsetRange(0, meta.sizeBytes()).split(900, 0)) {
      RequestedRanges.read(records, (k, e) -> true, meta, range, PipelineOptionsFactory.create(), read::add);
    }
    assertEquals(written.size(), read.size());
    assertTrue(written.equals(read), "the fields of another writer order are read by name into the group's schema");
  }

  @Test
  void onlyTheRowsLookedUpLeaveKeyedByBucketAndEveryRowReadIsCounted(@TempDir Path dir) throws Exception {
    OfflineRecords records = new OfflineRecords(B, SELECTION.entityOf(B));
    List<FeatureRow> written = writeRows(dir.resolve("run-1-00000.avro").toFile(), records);
    JoinSteps.GroupTime time = JoinSteps.GroupTime.of(SELECTION, 1_000).get(0);

    // the spine looks up every 7th row; u3's bucket (January 2026) is hot: 2,500 spine rows, 3 salts
    List<FeatureRow> asked = new ArrayList<>();
    LookupFilter.Hashes hashes = LookupFilter.Hashes.empty();
    for (int i = 0; i < written.size(); i += 7) {
      FeatureRow r = written.get(i);
      asked.add(r);
      hashes = hashes.add(LookupFilter.hash(0, r.key(), r.windowEndMillis()));
    }
    LookupFilter.Build build = new LookupFilter.Build();
    LookupFilter filter = build.extractOutput(build.addInput(build.createAccumulator(), hashes.compact()));
    Bucket hot = time.bucket(0, List.of("u3", 3L), START);
    assertEquals(3, JoinSteps.fanout(2_500, time.threshold));

    String box = "key-offline-rows-" + System.nanoTime();
    Pipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionView<LookupFilter> askedView =
        p.apply("Filter", Create.of(filter).withCoder(LookupFilter.Coder.INSTANCE)).apply("FilterView", View.asSingleton());
    PCollectionView<Map<Bucket, Long>> hotView =
        p.apply("Hot", Create.of(KV.of(hot, 2_500L)).withCoder(KvCoder.of(Bucket.Coder.of(), VarLongCoder.of())))
            .apply("HotView", View.asMap());
    p.apply(FileIO.match().filepattern(dir.resolve("*.avro").toString()))
        .apply(FileIO.readMatches())
        .apply("Split", ParDo.of(new SplitIntoRangesFn(600)))
        .apply("KeyOfflineRows", ParDo.of(new JoinSteps.KeyOfflineRowsFn(0, time, records, hotView, askedView))
            .withSideInputs(hotView, askedView))
        .setCoder(KvCoder.of(Bucket.Coder.of(), JoinInput.Coder.of()))
        .apply(Collected.into(box));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    Map<KV<Bucket, String>, FeatureRow> out = new HashMap<>();
    for (Object o : Collected.get(box)) {
      @SuppressWarnings("unchecked")
      KV<Bucket, JoinInput> kv = (KV<Bucket, JoinInput>) o;
      FeatureRow row = kv.getValue().offline();
      assertEquals(null, out.put(KV.of(kv.getKey(), row.identity()), row), "each row once per salt: " + row.identity());
      assertEquals(time.bucket(0, row.key(), row.windowEndMillis()), kv.getKey().withSalt(0), "keyed by its bucket");
    }
    Set<String> writtenIds = new HashSet<>();
    written.forEach(r -> writtenIds.add(r.identity()));
    for (FeatureRow r : asked) {
      Bucket b = time.bucket(0, r.key(), r.windowEndMillis());
      int salts = b.equals(hot) ? 3 : 1;
      for (int s = 0; s < salts; s++) {
        assertEquals(r, out.get(KV.of(b.withSalt(s), r.identity())), "looked-up row " + r.identity() + " on salt " + s);
      }
    }
    for (Map.Entry<KV<Bucket, String>, FeatureRow> e : out.entrySet()) {
      assertTrue(writtenIds.contains(e.getValue().identity()), "only rows of the file: " + e.getKey());
    }
    // the rows not asked pass only as the filter's false positives (about 1%)
    int salted = 0;
    for (FeatureRow r : asked) {
      salted += time.bucket(0, r.key(), r.windowEndMillis()).equals(hot) ? 3 : 1;
    }
    assertTrue(out.size() - salted < 100, "rows not looked up are dropped: " + (out.size() - salted) + " passed");

    MetricsFilter counters = MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("featurepipe", "training_offline_rows_read")).build();
    long read = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(counters).getCounters()) {
      read += c.getCommitted();
    }
    assertEquals(written.size(), read, "every row read is counted, dropped or not");
  }

  @Test
  void theJoinReadsOfflineRowsInTheStepThatFiltersThem() {
    Pipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply(Create.empty(SpineRow.Coder.of()))
        .apply("JoinPointInTime", JoinPointInTime.of(FeatureSelectionTest.REPO, SELECTION, "/tmp/offline"));
    List<String> inputs = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        if (node.getFullName().startsWith("JoinPointInTime/Join/b/KeyOfflineRows/")) {
          node.getInputs().values().forEach(v -> inputs.add(((PCollection<?>) v).getCoder().toString()));
        }
      }
    });
    assertTrue(inputs.stream().anyMatch(c -> c.startsWith("KvCoder(ReadableFileCoder")),
        "Join/b/KeyOfflineRows reads the ranges of the offline files: " + inputs);
    assertTrue(inputs.stream().noneMatch(c -> c.contains("FeatureRow")),
        "and takes no rows read by an earlier step: " + inputs);
  }

  @Test
  void noStepAfterAGroupingReadsASideInput() {
    Pipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply(Create.empty(SpineRow.Coder.of()))
        .apply("JoinPointInTime",
            JoinPointInTime.of(FeatureSelectionTest.REPO, FeatureSelection.parse(FeatureSelectionTest.REPO, "a:n,b:mx"), "/tmp/offline"));
    Map<String, Integer> inputs = new HashMap<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        for (String step : List.of("Join/a/KeySpineRows", "Join/a/Match", "Join/b/Match")) {
          if (node.getFullName().startsWith("JoinPointInTime/" + step + "/")) {
            inputs.merge(step, node.getInputs().size(), Integer::sum);
          }
        }
      }
    });
    assertTrue(inputs.get("Join/a/KeySpineRows") > 1, "the spine rows enter the chain reading the hot buckets: " + inputs);
    assertEquals(1, inputs.get("Join/a/Match"), "keyed for the next group by the salts the rows carry: " + inputs);
    assertEquals(1, inputs.get("Join/b/Match"), inputs.toString());
  }
}
