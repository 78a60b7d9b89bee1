package io.featurepipe.pipelines.stream;

import static io.featurepipe.pipelines.stream.SampleStream.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.transforms.record.FeatureRow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online promise end to end on the DirectRunner (DESIGN §3): the sample's last day streamed
 * through Kafka into the Bigtable emulator, bootstrapped from the files of the days before, the
 * earlier days filled by materialize from a backfill; every sampled fresh, final read equals the
 * training-set value — and again after replaying the stream into a fresh job and table. Also:
 * materialize alone; dead letters, alerts and metrics of a running stream.
 */
class StreamFeaturesIT {
  static final LocalDate DAY_BEFORE_S = LocalDate.of(2026, 1, 13);

  @TempDir static Path dir;
  static SampleStream world;

  @BeforeAll
  static void start() throws Exception {
    world = SampleStream.start(dir);
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  static SampleStream.StreamRun stream(StreamFeatures.Spec spec) throws Exception {
    return world.runUntilDone(Pipeline.create(SampleStream.directOptions(false)), spec, SampleStream::directCounters);
  }

  @Test
  void aBootstrappedStreamAndMaterializeReadAsTheTrainingSetAndSoDoesAReplay() throws Exception {
    for (String job : List.of("first", "replay")) {
      BigtableTarget target = world.table(job);
      SampleStream.StreamRun run = stream(world.spec(target, job, dir.resolve(job)));
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

      SampleStream.Comparison c = world.compare(target, job.hashCode(), 30, world.lateSpans(run.deadLetters()));
      assertEquals(List.of(), c.mismatches(), job);
      assertTrue(c.compared() > 10_000, job + ": compared " + c.compared());
      assertTrue(c.skippedLate() < c.compared() / 100, job + ": skipped " + c.skippedLate());
      assertEquals(world.badLines(), run.deadLetterFiles().stream().filter(SampleStream::isDecodeFailure).count(),
          "every undecodable line of the files and the topic is a dead letter");
    }
  }

  @Test
  void materializeAloneFillsTheStoreAndAdvancesTheWatermarkThroughItsRange() throws Exception {
    BigtableTarget target = world.table("materialized");
    List<FeatureRow> written = world.materialize(target, SampleStream.FIRST, SampleStream.STREAMED);
    assertTrue(SampleStream.cells(written).size() > 10_000);
    long lastHour = Instant.parse("2026-01-14T23:00:00Z").toEpochMilli();
    assertEquals(Map.of("user_logins", lastHour, "user_spend", lastHour), world.watermarks(target));
    SampleStream.Comparison c = world.compare(target, 7, 30, Map.of());
    assertEquals(List.of(), c.mismatches());
    assertTrue(c.compared() > 10_000, "compared " + c.compared());
  }

  @Test
  void tooLateAndBadRecordsAreDeadLettersAlertsAreWrittenAndMetricsCounted() throws Exception {
    Map<String, Long> produced = world.produce("dl-");
    BigtableTarget target = world.table("deadletters");
    Path out = dir.resolve("deadletters");
    StreamFeatures.Spec spec =
        StreamFeatures.Spec.of(world.repo, target, StreamStart.of(S), out.resolve("dead-letters").toString())
            .withGroups(SampleStream.GROUPS)
            .withInputs(
                StreamInputs.defaults()
                    .withKafkaBootstrap(world.kafka.bootstrapServers())
                    .withStart(ReadKafka.Start.EARLIEST)
                    .withGroupIdPrefix("dl")
                    .withTopic("payments", "dl-payments")
                    .withTopic("logins", "dl-logins"))
            .withDeadLetterFlush(Duration.ofSeconds(1))
            .withStatisticsWindow(Duration.ofDays(1))
            .withFreshnessInterval(Duration.ofSeconds(1))
            .withAlertRoot(out.resolve("alerts").toString())
            .withValidationRoot(out.resolve("validation").toString());
    Pipeline p = Pipeline.create(SampleStream.directOptions(false));
    StreamFeatures.build(p, spec);
    var result = p.run();
    String late = "{\"txn_id\":\"tlate00000001\",\"event_time\":\"2026-01-14T00:30:00.000001Z\",\"user_id\":\"u0001\","
        + "\"card_id\":\"DE000001\",\"merchant_id\":\"m001\",\"merchant_category\":\"grocery\",\"amount\":10.5,"
        + "\"currency\":\"EUR\",\"country\":\"DE\",\"channel\":\"pos\",\"is_fraud\":false}";
    Map<String, Long> counters;
    try {
      // a stream without bootstrap owns the window ends from S + 7 days + 1 hour
      world.awaitWatermarks(target, SampleStream.STREAM_DONE);
      // every event is read and the watermark has passed the day: a 30-minute-old event is too late
      try (ProduceLines more = ProduceLines.to(world.kafka.bootstrapServers(), "dl-payments")) {
        more.line(late, null);
        more.line("{\"txn_id\": not json", null);
      }
      SampleStream.await("the late and the broken record in the dead letters", () -> {
        try {
          String all = String.join("\n", SampleStream.jsonLines(out.resolve("dead-letters")));
          return all.contains("tlate00000001") && all.contains("not json")
              && SampleStream.jsonLines(out.resolve("alerts/freshness")).size() >= 2;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      counters = SampleStream.directCounters(result);
      long counted = counters.get("dead_letters");
      SampleStream.await("every counted dead letter written", () -> {
        try {
          return SampleStream.jsonLines(out.resolve("dead-letters")).size() >= counted;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } finally {
      result.cancel();
    }
    List<JsonNode> dead = SampleStream.parse(SampleStream.jsonLines(out.resolve("dead-letters")));
    Map<String, List<JsonNode>> byStep = SampleStream.byStep(dead);
    List<JsonNode> tooLate = byStep.get("ClassifyLateness/payments");
    assertTrue(tooLate.stream().anyMatch(d -> d.get("payload").asText().contains("tlate00000001")
        && d.get("reason").asText().startsWith("too late: its hop ended at 2026-01-14T01:00:00Z")), tooLate.toString());
    List<JsonNode> undecodable = byStep.get("ReadKafka/payments");
    assertTrue(undecodable.stream().anyMatch(d -> d.get("payload").asText().equals("{\"txn_id\": not json")
        && d.get("reason").asText().startsWith("not valid JSON")
        && d.get("origin").asText().startsWith("kafka:dl-payments/")), undecodable.toString());
    assertEquals((long) dead.size(), counters.get("dead_letters"), "every dead letter counted and written once");

    // every line produced is a record read or a dead letter
    for (String source : List.of("payments", "logins")) {
      long extra = source.equals("payments") ? 2 : 0;
      assertEquals(produced.get(source) + extra,
          counters.get("records_read_" + source) + counters.getOrDefault("dead_letters_decode_" + source, 0L), source);
      assertEquals(counters.getOrDefault("dead_letters_decode_" + source, 0L),
          (long) byStep.getOrDefault("ReadKafka/" + source, List.of()).size(), source);
    }
    long lateCount = counters.get("late_events_payments") + counters.getOrDefault("late_events_logins", 0L);
    assertEquals(lateCount, (long) byStep.get("ClassifyLateness/payments").size()
        + byStep.getOrDefault("ClassifyLateness/logins", List.of()).size());
    assertTrue(counters.get("online_cells_written") > 1000, counters.toString());
    assertTrue(counters.get("freshness_readings") >= 2, counters.toString());

    // a replay of January 2026 is months behind the clock: freshness errors for both groups
    Map<String, String> freshness = new TreeMap<>();
    for (JsonNode a : SampleStream.parse(SampleStream.jsonLines(out.resolve("alerts/freshness")))) {
      freshness.put(a.get("group").asText(), a.get("severity").asText() + " " + a.get("check").asText());
    }
    assertEquals(Map.of("user_logins", "ERROR freshness", "user_spend", "ERROR freshness"), freshness);
    // the windows of the streamed day were validated
    assertTrue(java.nio.file.Files.exists(
        out.resolve("validation/user_spend/input/window=2026-01-14T00:00:00Z/stats.pb")));
    assertTrue(java.nio.file.Files.exists(
        out.resolve("validation/user_spend/features/window=2026-01-14T00:00:00Z/anomalies.pbtxt")));
  }
}
