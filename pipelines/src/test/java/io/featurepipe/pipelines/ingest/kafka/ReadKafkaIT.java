package io.featurepipe.pipelines.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.ingest.ReadStream;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.decode.SourceSchemas;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.model.SourceDef;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.testing.Collected;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ReadStream over Kafka on the DirectRunner, against an in-process broker started here: exactly the
 * produced records with event-time timestamps, dead letters with topic/partition/offset, committed
 * offsets, stop options, Avro messages, too-late events downstream, and the sample payments
 * replayed through Kafka equal to the same files read as a bounded source.
 */
class ReadKafkaIT {

  static EmbeddedKafka kafka;

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
      bounded: {path: "clicks/*"}
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
      features:
        - {name: clicks_1h, agg: count, window: 1h}
      """;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  static FeatureRepository repo() throws Exception {
    return RepositoryLoader.load(Map.of("d.yaml", DEFS));
  }

  static SourceDef clicks(String format) throws Exception {
    return RepositoryLoader.load(Map.of("d.yaml", DEFS.replace("format: jsonl", "format: " + format))).source("clicks");
  }

  static Pipeline pipeline(boolean block) {
    DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
    o.setBlockOnRun(block);
    return Pipeline.create(o);
  }

  /** Collects records as "values @ element timestamp" and dead letters, under a box name. */
  static String collect(PCollectionTuple read) {
    String box = "kafka-" + System.nanoTime();
    read.get(ReadStream.RECORDS)
        .apply("Stamp", ParDo.of(new StampFn()))
        .apply("C1", Collected.into(box + "/r"));
    read.get(ReadStream.DEAD_LETTERS).apply("C2", Collected.into(box + "/d"));
    return box;
  }

  static final class StampFn extends DoFn<SourceRecord, String> {
    @ProcessElement
    public void process(@Element SourceRecord r, @Timestamp Instant t, OutputReceiver<String> out) {
      out.output(Arrays.deepToString(r.values()) + " @ " + t);
    }
  }

  static String line(String ts, String user, int n) {
    return "{\"ts\":\"" + ts + "\",\"user\":\"" + user + "\",\"n\":" + n + "}";
  }

  @Test
  void readsExactlyTheProducedRecordsWithEventTimesAndCommitsOffsets() throws Exception {
    kafka.createTopic("exact", 3);
    List<String> expected = new ArrayList<>();
    try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "exact")) {
      for (int i = 0; i < 30; i++) {
        long second = 1_767_225_600L + i * 61L;
        out.line(line(java.time.Instant.ofEpochSecond(second, 123_456_000).toString(), "u" + (i % 4), i), null);
        expected.add("[" + second + "123456000, u" + (i % 4) + ", " + i + "] @ " + new Instant(second * 1000 + 123));
      }
      out.line("{\"ts\":\"2026-01-01T00:00:00Z\",\"user\":\"x\",\"n\":", null);   // offset 10 of partition 0
      out.line("{\"ts\":\"2026-01-01T00:00:00Z\",\"n\":1}", null);                // offset 10 of partition 1
    }
    Pipeline p = pipeline(true);
    SourceDef source = clicks("jsonl");
    String box =
        collect(
            p.apply(
                ReadStream.of(source)
                    .withKafkaBootstrap(kafka.bootstrapServers())
                    .withTopic("exact")
                    .withGroupId("exact-group")
                    .withStart(ReadKafka.Start.EARLIEST)
                    .withMaxRecords(32)));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    List<String> got = Collected.get(box + "/r");
    got.sort(null);
    expected.sort(null);
    assertEquals(expected, got, () -> "dead letters: " + Collected.get(box + "/d"));
    Map<String, DeadLetter> dead = new TreeMap<>();
    for (DeadLetter d : Collected.<DeadLetter>get(box + "/d")) {
      dead.put(d.origin(), d);
    }
    assertEquals(List.of("kafka:exact/0/10", "kafka:exact/1/10"), List.copyOf(dead.keySet()));
    assertTrue(dead.get("kafka:exact/0/10").reason().startsWith("not valid JSON"), dead.toString());
    assertEquals("required field 'user' is missing", dead.get("kafka:exact/1/10").reason());
    assertEquals("{\"ts\":\"2026-01-01T00:00:00Z\",\"n\":1}", dead.get("kafka:exact/1/10").payload());
    assertEquals("ReadKafka/clicks", dead.get("kafka:exact/1/10").step());

    MetricQueryResults metrics =
        result.metrics().queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace("featurepipe")).build());
    Map<String, Long> counters = new TreeMap<>();
    metrics.getCounters().forEach(c -> counters.merge(c.getName().getName(), c.getAttempted(), Long::sum));
    assertEquals(Map.of("records_read_clicks", 30L, "dead_letters_decode_clicks", 2L), counters);

    Map<Integer, Long> committed = new TreeMap<>();
    for (Map.Entry<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> e :
        kafka.committedOffsets("exact-group").entrySet()) {
      committed.put(e.getKey().partition(), e.getValue().offset());
    }
    assertEquals(Map.of(0, 11L, 1, 11L, 2, 10L), committed);
  }

  @Test
  void stopsAtATime() throws Exception {
    kafka.createTopic("stop", 2);
    try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "stop")) {
      for (int i = 0; i < 10; i++) {
        out.line(line("2026-01-01T00:00:0" + i + "Z", "u", i), 1_000_000L + i * 1000);
      }
    }
    Pipeline p = pipeline(true);
    String box =
        collect(
            p.apply(
                ReadStream.of(clicks("jsonl"))
                    .withKafkaBootstrap(kafka.bootstrapServers())
                    .withTopic("stop")
                    .withGroupId("stop-group")
                    .withStart(ReadKafka.Start.EARLIEST)
                    .withStopTime(new Instant(1_006_000L))));
    p.run().waitUntilFinish();
    List<String> got = Collected.get(box + "/r");
    assertEquals(6, got.size(), got.toString());
    assertTrue(got.stream().allMatch(s -> s.matches("\\[\\d+, u, [0-5]\\] @ .*")), got.toString());
    // after the end of every partition: refused while building, naming the partitions
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> pipeline(true).apply(
                ReadStream.of(clicks("jsonl"))
                    .withKafkaBootstrap(kafka.bootstrapServers())
                    .withTopic("stop")
                    .withStopTime(new Instant(1_008_500L))));
    assertTrue(e.getMessage().contains("partitions [0] hold no record at or after that time"), e.getMessage());
  }

  @Test
  void readsAvroMessagesInTheSourceSchema() throws Exception {
    kafka.createTopic("avro", 1);
    SourceDef source = clicks("avro");
    GenericRecord r = new GenericData.Record(SourceSchemas.of(source));
    r.put("ts", 1_767_225_600_000_001L);
    r.put("user", "a");
    r.put("n", 5L);
    try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "avro")) {
      out.send(PayloadDecoder.encodeAvro(r), null);
      out.send(new byte[] {1, 2, 3}, null);
    }
    Pipeline p = pipeline(true);
    String box =
        collect(
            p.apply(
                ReadStream.of(source)
                    .withKafkaBootstrap(kafka.bootstrapServers())
                    .withTopic("avro")
                    .withGroupId("avro-group")
                    .withStart(ReadKafka.Start.EARLIEST)
                    .withMaxRecords(2)));
    p.run().waitUntilFinish();
    assertEquals(List.of("[1767225600000001000, a, 5] @ 2026-01-01T00:00:00.000Z"), Collected.get(box + "/r"));
    List<DeadLetter> dead = Collected.get(box + "/d");
    assertEquals(1, dead.size());
    assertEquals("kafka:avro/0/1", dead.get(0).origin());
    assertTrue(dead.get(0).reason().startsWith("not an Avro datum of the schema"), dead.get(0).reason());
    assertEquals("base64:AQID", dead.get(0).payload());
  }

  @Test
  void anEventTooLateForTheWatermarkIsClassifiedTooLateDownstream() throws Exception {
    kafka.createTopic("late", 1);
    FeatureRepository repo = repo();
    Pipeline p = pipeline(false);
    PCollectionTuple read =
        p.apply(
            "ReadClicks",
            ReadStream.of(repo.source("clicks"))
                .withKafkaBootstrap(kafka.bootstrapServers())
                .withTopic("late")
                    .withGroupId("late-group")
                .withStart(ReadKafka.Start.EARLIEST));
    FeatureOutputs out =
        PCollectionTuple.of(ComputeFeatures.sourceTag("clicks"), read.get(ReadStream.RECORDS))
            .apply("ComputeFeatures", ComputeFeatures.of(repo).withLatenessShards(1));
    String box = "late-" + System.nanoTime();
    out.rows().apply("C1", Collected.into(box + "/rows"));
    out.lateEvents().apply("C2", Collected.into(box + "/late"));
    read.get(ReadStream.DEAD_LETTERS).apply("C3", Collected.into(box + "/dead"));
    long t0 = Instant.parse("2026-01-01T00:00:00Z").getMillis();
    try (ProduceLines produce = ProduceLines.to(kafka.bootstrapServers(), "late")) {
      produce.line(line("2026-01-01T00:10:00Z", "a", 1), null);
      produce.line(line("2026-01-01T01:10:00Z", "a", 2), null);
      produce.line(line("2026-01-01T03:10:00Z", "a", 3), null);
    }
    PipelineResult result = p.run();
    try {
      // the row of the window ending 02:00 is out: the watermark has passed 02:00
      await(() -> Collected.<FeatureRow>get(box + "/rows").stream().anyMatch(r -> r.windowEndMillis() >= t0 + 2 * 3_600_000L));
      try (ProduceLines produce = ProduceLines.to(kafka.bootstrapServers(), "late")) {
        produce.line(line("2025-12-31T23:30:00Z", "a", 4), null);   // its hop ended at 00:00: too late
        produce.line("not json", null);
      }
      await(() -> !Collected.get(box + "/late").isEmpty() && !Collected.get(box + "/dead").isEmpty());
    } finally {
      result.cancel();
    }
    List<DeadLetter> late = Collected.get(box + "/late");
    assertEquals(1, late.size(), late.toString());
    assertTrue(late.get(0).payload().contains("2025-12-31T23:30:00Z"), late.get(0).toString());
    List<FeatureRow> rows = Collected.get(box + "/rows");
    assertTrue(rows.stream().anyMatch(r -> r.windowEndMillis() == t0 + 3_600_000L && !r.empty()), rows.toString());
    assertEquals("kafka:late/0/4", Collected.<DeadLetter>get(box + "/dead").get(0).origin());
  }

  @Test
  void theSamplePaymentsReplayedThroughKafkaEqualTheFilesReadBounded() throws Exception {
    FeatureRepository payments = RepositoryLoader.load(Path.of("..", "feature-defs", "payments"));
    SourceDef source = payments.source("payments");
    String sample = Path.of("..", "test-data", "sample").toAbsolutePath().normalize().toString();
    kafka.createTopic("payments", 3);
    long produced;
    try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "payments")) {
      produced = out.sourceFiles(source, sample, null, null);
    }
    Pipeline files = pipeline(true);
    PCollectionTuple bounded = files.apply(ReadSource.of(source, sample, null, null));
    String filesBox = "eq-files-" + System.nanoTime();
    bounded.get(ReadSource.RECORDS).apply("Key", ParDo.of(new WithoutOriginFn())).apply("C1", Collected.into(filesBox + "/r"));
    bounded.get(ReadSource.DEAD_LETTERS).apply("C2", Collected.into(filesBox + "/d"));
    files.run().waitUntilFinish();

    Pipeline stream = pipeline(true);
    PCollectionTuple unbounded =
        stream.apply(
            ReadStream.of(source)
                .withKafkaBootstrap(kafka.bootstrapServers())
                .withTopic("payments")
                .withGroupId("eq-group")
                .withStart(ReadKafka.Start.EARLIEST)
                .withMaxRecords(produced));
    String streamBox = "eq-stream-" + System.nanoTime();
    unbounded.get(ReadStream.RECORDS).apply("Key", ParDo.of(new WithoutOriginFn())).apply("C1", Collected.into(streamBox + "/r"));
    unbounded.get(ReadStream.DEAD_LETTERS).apply("C2", Collected.into(streamBox + "/d"));
    stream.run().waitUntilFinish();

    List<String> fromFiles = Collected.get(filesBox + "/r");
    List<String> fromKafka = Collected.get(streamBox + "/r");
    fromFiles.sort(null);
    fromKafka.sort(null);
    assertEquals(17_271, fromFiles.size());
    assertEquals(fromFiles, fromKafka);
    List<String> deadFiles = reasonsAndPayloads(Collected.get(filesBox + "/d"));
    List<String> deadKafka = reasonsAndPayloads(Collected.get(streamBox + "/d"));
    assertEquals(49, deadFiles.size());
    assertEquals(deadFiles, deadKafka);
  }

  static List<String> reasonsAndPayloads(List<DeadLetter> dead) {
    List<String> out = new ArrayList<>();
    dead.forEach(d -> out.add(d.reason() + " | " + d.payload()));
    out.sort(null);
    return out;
  }

  /** A record without its origin (which names a file line or a Kafka offset), with its timestamp. */
  static final class WithoutOriginFn extends DoFn<SourceRecord, String> {
    @ProcessElement
    public void process(@Element SourceRecord r, @Timestamp Instant t, OutputReceiver<String> out) {
      out.output(r.source() + "@" + r.eventTimeNanos() + Arrays.deepToString(r.values()) + " @ " + t.getMillis());
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 120 s");
      }
      Thread.sleep(50);
    }
  }
}
