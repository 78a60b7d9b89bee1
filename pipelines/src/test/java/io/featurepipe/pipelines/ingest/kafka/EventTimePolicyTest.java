package io.featurepipe.pipelines.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.featurepipe.transforms.decode.PayloadDecoder;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.SourceDef;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Record timestamps are event times; the watermark trails them, advances when idle, never goes back. */
class EventTimePolicyTest {

  static final String DEF =
      """
      kind: source
      name: clicks
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp}
        - {name: user, type: string, required: true}
      bounded: {path: "clicks/*"}
      unbounded: {kafka: {bootstrap: "localhost:9092", topic: clicks}}
      watermark_delay: 1m
      """;

  static KafkaRecord<byte[], byte[]> record(String json) {
    return new KafkaRecord<>("clicks", 0, 0, 0, KafkaTimestampType.CREATE_TIME, null, new byte[0],
        json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void timestampsAndWatermark() throws Exception {
    SourceDef source = RepositoryLoader.load(Map.of("s.yaml", DEF)).source("clicks");
    EventTimePolicy policy =
        new EventTimePolicy(PayloadDecoder.of(source, null), Duration.standardMinutes(1), Optional.empty());
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.watermark(5, now, now));
    // a bad record before any good one: the oldest timestamp, no effect on the watermark
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.getTimestampForRecord(null, record("{")));
    assertEquals(
        Instant.parse("2026-01-01T10:00:00.123Z"),
        policy.getTimestampForRecord(null, record("{\"ts\":\"2026-01-01T10:00:00.123999Z\",\"user\":\"a\"}")));
    assertEquals(
        Instant.parse("2026-01-01T09:00:00Z"),
        policy.getTimestampForRecord(null, record("{\"ts\":\"2026-01-01T09:00:00Z\",\"user\":\"a\"}")));
    assertEquals(Instant.parse("2026-01-01T09:59:00.123Z"), policy.watermark(5, now, now));
    // a bad record gets the largest event time seen
    assertEquals(Instant.parse("2026-01-01T10:00:00.123Z"), policy.getTimestampForRecord(null, record("{\"user\":\"b\"}")));
    // caught up: the partition is idle and follows the clock, minus the delay
    assertEquals(Instant.parse("2026-05-31T23:59:00Z"), policy.watermark(0, now, now));
    // older records later never take it back
    policy.getTimestampForRecord(null, record("{\"ts\":\"2026-01-02T00:00:00Z\",\"user\":\"a\"}"));
    assertEquals(Instant.parse("2026-05-31T23:59:00Z"), policy.watermark(3, now, now));
  }

  @Test
  void eventTimesInTheFutureDoNotPushTheWatermarkPastTheClock() throws Exception {
    SourceDef source = RepositoryLoader.load(Map.of("s.yaml", DEF)).source("clicks");
    EventTimePolicy policy =
        new EventTimePolicy(PayloadDecoder.of(source, null), Duration.standardMinutes(1), Optional.empty());
    policy.getTimestampForRecord(null, record("{\"ts\":\"2030-01-01T00:00:00Z\",\"user\":\"a\"}"));
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    assertEquals(Instant.parse("2026-05-31T23:59:00Z"), policy.watermark(1, now, now));
  }
}
