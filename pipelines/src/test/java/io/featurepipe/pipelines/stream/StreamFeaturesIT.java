package io.featurepipe.pipelines.stream;

import static io.featurepipe.pipelines.stream.SampleStream.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online promise end to end on the DirectRunner (DESIGN §3): the sample's last day streamed
 * through Kafka into the Bigtable emulator, bootstrapped from the files of the days before, the
 * earlier days filled by materialize from a backfill; every sampled fresh, final read equals the
 * training-set value; replaying the stream into a fresh job and table writes the same cells. Also
 * materialize alone. The DirectRunner runs these replays bounded ({@code --max-records}, as the
 * quickstart does): its unbounded execution of a day of the sample takes many minutes (ten records
 * per read bundle, a bundle per timer). The unbounded path runs here on a small stream ({@link
 * StreamMechanicsIT}) and with the same day on Flink ({@link StreamFeaturesFlinkIT}).
 */
class StreamFeaturesIT {
  static final LocalDate DAY_BEFORE_S = LocalDate.of(2026, 1, 13);

  @TempDir static Path dir;
  static SampleStream world;

  @BeforeAll
  static void start() throws Exception {
    world = SampleStream.shared();
  }


  static SampleStream.StreamRun stream(StreamFeatures.Spec spec) throws Exception {
    return world.runUntilDone(Pipeline.create(SampleStream.directOptions(false)), spec, SampleStream::directCounters);
  }

  @Test
  void aBootstrappedStreamAndMaterializeReadAsTheTrainingSetAndAReplayWritesTheSameCells() throws Exception {
    BigtableTarget target = world.table("first");
    SampleStream.StreamRun run = stream(world.spec(target, "first", dir.resolve("first"), true));
    List<FeatureRow> batch = world.materialize(target, SampleStream.FIRST, DAY_BEFORE_S);

    // one writer per cell: the stream from S on, materialize before
    Set<String> streamed = SampleStream.cells(run.written());
    Set<String> materialized = SampleStream.cells(batch);
    assertTrue(streamed.size() > 10_000 && materialized.size() > 10_000, streamed.size() + " / " + materialized.size());
    Set<String> both = new TreeSet<>(streamed);
    both.retainAll(materialized);
    assertEquals(Set.of(), both, "cells written by the stream and by materialize");
    assertTrue(run.written().stream().allMatch(r -> r.windowEndMillis() >= S.toEpochMilli()), "the stream owns from S");
    assertTrue(run.written().stream().anyMatch(r -> r.windowEndMillis() == S.toEpochMilli()), "and writes at S");
    assertTrue(batch.stream().allMatch(r -> r.windowEndMillis() < S.toEpochMilli()), "materialize before S");

    // a bounded replay: no event is too late, the store equals the backfill everywhere
    SampleStream.Comparison c = world.compare(target, 1, 50, 40, Map.of());
    assertEquals(List.of(), c.mismatches());
    assertTrue(c.compared() > 4_000, "compared " + c.compared());
    assertEquals(world.badLines(), run.deadLetterFiles().stream().filter(SampleStream::isDecodeFailure).count(),
        "every undecodable line of the files and the topic is a dead letter");
    assertEquals((long) run.deadLetterFiles().size(), run.counters().get("dead_letters"), "every dead letter written");

    // the same topic replayed into a fresh job and table writes the same cells, value for value
    // (so, with the same materialize before S, it reads as the store compared above)
    BigtableTarget fresh = world.table("replay");
    SampleStream.StreamRun replay = stream(world.spec(fresh, "replay", dir.resolve("replay"), true));
    assertEquals(SampleStream.cellValues(run.written()), SampleStream.cellValues(replay.written()));
  }

  @Test
  void materializeAloneFillsTheStoreAndAdvancesTheWatermarkThroughItsRange() throws Exception {
    BigtableTarget target = world.table("materialized");
    List<FeatureRow> written = world.materialize(target, SampleStream.FIRST, SampleStream.STREAMED);
    assertTrue(SampleStream.cells(written).size() > 10_000);
    long lastHour = Instant.parse("2026-01-14T23:00:00Z").toEpochMilli();
    assertEquals(Map.of("user_logins", lastHour, "user_spend", lastHour), world.watermarks(target));
    SampleStream.Comparison c = world.compare(target, 7, 12, 40, Map.of());
    assertEquals(List.of(), c.mismatches());
    assertTrue(c.compared() > 800, "compared " + c.compared());
  }

}
