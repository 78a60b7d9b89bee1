package io.featurepipe.pipelines.stream;

import static io.featurepipe.pipelines.stream.SampleStream.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.audit.AuditReport;
import io.featurepipe.pipelines.audit.OnlineAudit;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online promise with the stream running unbounded on Flink (embedded mini-cluster, streaming,
 * checkpointing every two seconds): the sample's last day read from Kafka as it comes, bootstrapped
 * from the files of the days before, the earlier days materialized from a backfill; every sampled
 * fresh, final read equals the training-set value, apart from the reads a too-late event of the
 * stream changed (the stream equals the bounded run minus its late-data output, DESIGN §3).
 * Materialize runs while the stream runs, over a range overlapping the streamed day (issue 6):
 * neither corrupts the other — every cell of the table was written by its one owner ({@code
 * WriterOwnership}) with its owner's value, and an audit of the materialized days finds nothing.
 */
class StreamFeaturesFlinkIT {
  @TempDir static Path dir;
  static SampleStream world;

  @BeforeAll
  static void start() throws Exception {
    world = SampleStream.shared();
  }


  @Test
  void anUnboundedStreamOnFlinkAndMaterializeReadAsTheTrainingSet() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster("[local]");
    options.setParallelism(2);
    options.setStreaming(true);
    options.setCheckpointingInterval(2_000L);
    options.setAttachedMode(false);
    options.setObjectReuse(true); // as featurepipe stream's Flink defaults: no copies between chained steps
    BigtableTarget target = world.table("flink");
    // materialize runs while the stream runs (once the stream has passed S, so the days before are
    // final), over a range that overlaps the streamed day: the stream's cells are left to it
    List<List<FeatureRow>> batches = new ArrayList<>();
    SampleStream.StreamRun run = world.runUntilDone(
        Pipeline.create(options), world.spec(target, "flink", dir.resolve("flink"), false), r -> null,
        () -> batches.add(world.materialize(target, SampleStream.FIRST, SampleStream.STREAMED)));
    List<FeatureRow> batch = batches.get(0);

    Set<String> streamed = SampleStream.cells(run.written());
    Set<String> materialized = SampleStream.cells(batch);
    assertTrue(streamed.size() > 10_000 && materialized.size() > 10_000, streamed.size() + " / " + materialized.size());
    Set<String> both = new TreeSet<>(streamed);
    both.retainAll(materialized);
    assertEquals(Set.of(), both, "cells written by the stream and by materialize");
    assertTrue(run.written().stream().allMatch(r -> r.windowEndMillis() >= S.toEpochMilli()), "the stream owns from S");
    assertTrue(batch.stream().allMatch(r -> r.windowEndMillis() < S.toEpochMilli()), "materialize left the 14th to the stream");
    long lastHourBeforeS = S.toEpochMilli() - 3_600_000L;
    assertTrue(batch.stream().anyMatch(r -> r.windowEndMillis() == lastHourBeforeS), "and wrote up to the hour before S");
    // every cell of the table belongs to its owner and holds a value its owner wrote
    assertEquals(List.of(), world.cellOwners(target, run.written(), batch));
    // the days materialized read as the training set: the audit finds nothing
    AuditReport audit = OnlineAudit.of(world.repo, world.offlineRoot, SampleStream.FIRST, LocalDate.of(2026, 1, 13))
        .withGroups(SampleStream.GROUPS).withSamples(200).withSeed(5).run(target, SampleStream.RETENTION);
    assertTrue(audit.passed(), audit.render());
    assertEquals(0, audit.mismatchCount(), audit.render());

    // half the reads of the DirectRunner's comparison: each multi-get costs the emulator time in
    // proportion to the cells of its rows, and the DirectRunner's comparison covers the sample
    SampleStream.Comparison c = world.compare(target, 11, 25, 40, world.lateSpans(run.deadLetters()));
    assertEquals(List.of(), c.mismatches());
    assertTrue(c.compared() > 1_900, "compared " + c.compared());
    assertTrue(c.skippedLate() < c.compared() / 100, "skipped " + c.skippedLate());
    assertEquals(world.badLines(), run.deadLetterFiles().stream().filter(SampleStream::isDecodeFailure).count(),
        "every undecodable line of the files and the topic is a dead letter");
  }
}
