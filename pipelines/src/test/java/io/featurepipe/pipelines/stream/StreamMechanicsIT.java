package io.featurepipe.pipelines.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.pipelines.ingest.kafka.ReadKafka;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unbounded path of the stream on the DirectRunner, on a small stream whose every value is known
 * by hand: records read from Kafka as they come, the watermark cell M following the watermark, a
 * too-late event, an undecodable message and a record failing its check as dead letters with their
 * reasons, a window missing a required value raising a quality alert, the months-old replay raising
 * freshness alerts, the counters — and the online reads the hand computation gives.
 */
class StreamMechanicsIT {
  static final String DEFS =
      """
      kind: source
      name: clicks
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
        - {name: n, type: int}
      bounded: {path: "clicks/{date}.jsonl"}
      unbounded: {kafka: {bootstrap: "localhost:1", topic: clicks}}
      watermark_delay: 1m
      allowed_lateness: 1h
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: feature_group
      name: clicks_per_user
      entity: user
      source: clicks
      keys: {user: user}
      hop: 1h
      ttl: 2h
      availability_delay: 2m
      features:
        - {name: clicks_1h, agg: count, window: 1h}
        - {name: n_sum_2h, agg: sum, column: n, window: 2h}
      expect:
        n: {min: 0, max: 100, presence: 1.0}
      online: true
      offline: true
      """;

  static String click(String time, String user, Integer n) {
    return "{\"ts\":\"2026-01-01T" + time + "Z\",\"user\":\"" + user + "\",\"n\":" + n + "}";
  }

  @Test
  void aStreamWritesAsTheWatermarkMovesAndEveryBadRecordIsADeadLetter(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("clicks.yaml", DEFS));
    Instant s = Instant.parse("2026-01-01T00:00:00Z");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      kafka.createTopic("clicks", 1);
      try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "clicks")) {
        out.line(click("00:05:00", "a", 1), null);
        out.line(click("00:20:00", "a", 2), null);
        out.line(click("00:50:00", "b", 5), null);
        out.line(click("01:10:00", "a", 3), null);
        out.line(click("01:15:00", "c", 500), null);   // above the expected max: rejected
        out.line(click("01:30:00", "a", null), null);  // no n: the 01:00 window's presence drops
        out.line("{\"ts\": \"2026-01-01T01:40:00Z\", broken", null);
        out.line(click("02:40:00", "a", 4), null);
        out.line(click("03:10:00", "b", null), null);
        out.line(click("04:20:00", "a", 6), null);
      }
      BigtableTarget target = BigtableTarget.parse("p/i/clicks").withEmulator(bigtable.hostPort());
      PrepareOnlineStore.of(target, repo).withRetention(Duration.ofDays(30)).prepare();
      StreamFeatures.Spec spec =
          StreamFeatures.Spec.of(repo, target, StreamStart.of(s), dir.resolve("dead-letters").toString())
              .withInputs(
                  StreamInputs.defaults()
                      .withKafkaBootstrap(kafka.bootstrapServers())
                      .withStart(ReadKafka.Start.EARLIEST))
              .withLatenessShards(1)
              .withDeadLetterFlush(Duration.ofMillis(500))
              .withStatisticsWindow(Duration.ofHours(1))
              .withFreshnessInterval(Duration.ofSeconds(1))
              .withAlertRoot(dir.resolve("alerts").toString());
      Pipeline p = Pipeline.create(SampleStream.directOptions(false));
      StreamFeatures.build(p, spec);
      PipelineResult result = p.run();
      Map<String, Long> counters;
      try {
        // the last explicit empty (a's 04:20 click leaves the 2-hour window at 07:00) is written
        // once the topic is read and its idle partition's watermark follows the clock
        awaitWatermark(target, repo, Instant.parse("2026-01-01T07:00:00Z").toEpochMilli());
        try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "clicks")) {
          out.line(click("00:30:00", "d", 1), null);   // its hop ended at 01:00: far too late now
          out.line("not json at all", null);
        }
        SampleStream.await("all four dead letters and both kinds of alerts written", () -> {
          try {
            return SampleStream.jsonLines(dir.resolve("dead-letters")).size() == 4
                && !SampleStream.jsonLines(dir.resolve("alerts/freshness")).isEmpty()
                && !SampleStream.jsonLines(dir.resolve("alerts/quality")).isEmpty();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        counters = SampleStream.directCounters(result);
      } finally {
        result.cancel();
      }

      Map<String, List<JsonNode>> dead =
          SampleStream.byStep(SampleStream.parse(SampleStream.jsonLines(dir.resolve("dead-letters"))));
      assertEquals(List.of("CheckRecords/clicks", "ClassifyLateness/clicks", "ReadKafka/clicks"),
          dead.keySet().stream().sorted().toList(), dead.toString());
      assertEquals(2, dead.get("ReadKafka/clicks").size());
      assertTrue(dead.get("ReadKafka/clicks").stream().allMatch(d -> d.get("reason").asText().startsWith("not valid JSON")
          && d.get("origin").asText().startsWith("kafka:clicks/0/")), dead.toString());
      JsonNode rejected = dead.get("CheckRecords/clicks").get(0);
      assertTrue(rejected.get("reason").asText().contains("500"), rejected.toString());
      assertTrue(rejected.get("payload").asText().contains("\"user\":\"c\""), rejected.toString());
      JsonNode late = dead.get("ClassifyLateness/clicks").get(0);
      assertTrue(late.get("reason").asText().startsWith("too late: its hop ended at 2026-01-01T01:00:00.000Z"), late.toString());
      assertTrue(late.get("payload").asText().contains("\"user\":\"d\""), late.toString());

      assertEquals(4L, counters.get("dead_letters"));
      assertEquals(10L, counters.get("records_read_clicks"));   // 9 on time, 1 too late
      assertEquals(2L, counters.get("dead_letters_decode_clicks"));
      assertEquals(1L, counters.get("records_rejected_clicks"));
      assertEquals(1L, counters.get("late_events_clicks"));
      assertTrue(counters.get("online_cells_written") > 0, counters.toString());
      assertTrue(counters.get("freshness_readings") >= 1, counters.toString());

      JsonNode freshness = SampleStream.parse(SampleStream.jsonLines(dir.resolve("alerts/freshness"))).get(0);
      assertEquals("ERROR freshness clicks_per_user",
          freshness.get("severity").asText() + " " + freshness.get("check").asText() + " " + freshness.get("group").asText());
      List<JsonNode> quality = SampleStream.parse(SampleStream.jsonLines(dir.resolve("alerts/quality")));
      assertTrue(quality.stream().anyMatch(a -> a.get("feature").asText().equals("n")
          && a.get("check").asText().contains("PRESENT")
          && a.get("window_start").asText().startsWith("2026-01-01T01:00")), quality.toString());
      assertTrue(Files.isDirectory(dir.resolve("dead-letters")));

      // the reads the hand computation gives (the stream owns from 03:00: S + 2h window + 1 hop)
      Map<String, String> reads = new TreeMap<>();
      try (OnlineReader reader = OnlineReader.open(target, repo, Duration.ofDays(30))) {
        for (String at : List.of("03:02:00", "05:02:00")) {
          long t = Instant.parse("2026-01-01T" + at + "Z").toEpochMilli() * 1_000_000L;
          List<Map<String, Object>> keys = List.of(Map.of("user", "a"), Map.of("user", "b"), Map.of("user", "d"));
          List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of("clicks_per_user"), t);
          for (int k = 0; k < keys.size(); k++) {
            OnlineValues v = read.get(k).get("clicks_per_user");
            reads.put(at + " " + keys.get(k).get("user"), v.values() + (v.fresh() ? "" : " stale"));
          }
        }
      }
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("03:02:00 a", "{clicks_1h=1, n_sum_2h=7}");
      expected.put("03:02:00 b", "{clicks_1h=0, n_sum_2h=0}");
      expected.put("03:02:00 d", "{clicks_1h=0, n_sum_2h=0}");
      expected.put("05:02:00 a", "{clicks_1h=1, n_sum_2h=6}");
      expected.put("05:02:00 b", "{clicks_1h=0, n_sum_2h=0}");
      expected.put("05:02:00 d", "{clicks_1h=0, n_sum_2h=0}");
      assertEquals(new TreeMap<>(expected), reads);
    }
  }

  /**
   * Volume: users a and b click every hour, so each hourly window of event time holds 2 records of
   * {@code clicks}; in the fifth hour 20 more users click, 22 records, 11 times the median 2 of the
   * windows before: an ERROR volume alert, written under {@code alerts/volume}. The first three
   * windows have too little history for a verdict; the fourth is as usual.
   */
  @Test
  void aWindowWithManyMoreRecordsThanTheOnesBeforeRaisesAVolumeAlert(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("clicks.yaml", DEFS));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      kafka.createTopic("clicks", 1);
      try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "clicks")) {
        for (int h = 0; h < 5; h++) {
          out.line(click("0" + h + ":10:00", "a", 1), null);
          out.line(click("0" + h + ":20:00", "b", 1), null);
        }
        for (int u = 0; u < 20; u++) {
          out.line(click("04:30:00", "u" + u, 1), null);
        }
      }
      BigtableTarget target = BigtableTarget.parse("p/i/volume").withEmulator(bigtable.hostPort());
      PrepareOnlineStore.of(target, repo).withRetention(Duration.ofDays(30)).prepare();
      StreamFeatures.Spec spec =
          StreamFeatures.Spec.of(repo, target, StreamStart.of(Instant.parse("2026-01-01T00:00:00Z")),
                  dir.resolve("dead-letters").toString())
              .withInputs(StreamInputs.defaults().withKafkaBootstrap(kafka.bootstrapServers()).withStart(ReadKafka.Start.EARLIEST))
              .withLatenessShards(1)
              .withStatisticsWindow(Duration.ofHours(1))
              .withAlertRoot(dir.resolve("alerts").toString());
      Pipeline p = Pipeline.create(SampleStream.directOptions(false));
      StreamFeatures.build(p, spec);
      PipelineResult result = p.run();
      List<JsonNode> volume;
      try {
        // the idle partition's watermark follows the clock: the last explicit empties (the 04:30
        // clicks leave the 2-hour window at 07:00) are written once every window before closed
        awaitWatermark(target, repo, Instant.parse("2026-01-01T07:00:00Z").toEpochMilli());
        SampleStream.await("a volume alert written", () -> {
          try {
            return !SampleStream.jsonLines(dir.resolve("alerts/volume")).isEmpty();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        volume = SampleStream.parse(SampleStream.jsonLines(dir.resolve("alerts/volume")));
      } finally {
        result.cancel();
      }
      List<String> got = new java.util.ArrayList<>();
      for (JsonNode a : volume) {
        got.add(a.get("severity").asText() + " " + a.get("check").asText() + " " + a.get("group").asText() + " "
            + a.get("window_start").asText() + " " + a.get("measured").asDouble() + " " + a.get("threshold").asDouble());
      }
      got.sort(null);
      assertEquals(List.of("ERROR volume clicks 2026-01-01T04:00:00Z 11.0 5.0"), got, volume.toString());
    }
  }

  static void awaitWatermark(BigtableTarget target, FeatureRepository repo, long millis) throws InterruptedException {
    SampleStream.await("M >= " + Instant.ofEpochMilli(millis), () -> {
      try (var client = com.google.cloud.bigtable.data.v2.BigtableDataClient.create(target.dataSettings())) {
        Long m = io.featurepipe.sinks.online.StoreMetadata.read(client, target.table(), List.of(repo.group("clicks_per_user")))
            .get("clicks_per_user").watermarkMillis();
        return m != null && m >= millis;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
