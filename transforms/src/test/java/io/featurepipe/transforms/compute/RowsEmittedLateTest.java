package io.featurepipe.transforms.compute;

import static io.featurepipe.transforms.compute.StreamScenario.HOUR;
import static io.featurepipe.transforms.compute.StreamScenario.MINUTE;
import static io.featurepipe.transforms.compute.StreamScenario.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A stream emits a row behind the watermark when a key first comes (or comes back) through late
 * data: such a row holds no watermark downstream, so it is flagged {@code restated}, and the online
 * store writes it in order with the restatements that follow it. Rows emitted as the watermark
 * passes their window end are not flagged, also when the watermark jumps over several hops at once,
 * or stands exactly at the timer's time when a key's first (late) event comes.
 */
class RowsEmittedLateTest {

  static TimestampedValue<SourceRecord> event(String user, long millis, int n) {
    long nanos = millis * 1_000_000L;
    return TimestampedValue.of(
        new SourceRecord("events", nanos, new Object[] {nanos, user, 10.0 + n, null}, "test:" + n), new Instant(millis));
  }

  @Test
  void aKeyFirstSeenThroughLateDataHasItsLateRowsFlagged() throws Exception {
    TestStream<SourceRecord> stream =
        TestStream.create(SourceRecordCoder.of())
            .addElements(event("ana", START + 10 * MINUTE, 1), event("ana", START + 20 * MINUTE, 2))
            // exactly at the 01:00 row's timer (01:00 - 1 ms): a timer set there still holds the
            // watermark, so yan's row of 01:00, though its event is 10 minutes late, is on time
            .advanceWatermarkTo(new Instant(START + HOUR - 1))
            .addElements(event("yan", START + 50 * MINUTE, 5))
            // a jump over three hops: ana's rows of 01:00, 02:00 and 03:00 come out as it passes
            .advanceWatermarkTo(new Instant(START + 3 * HOUR + 5 * MINUTE))
            // zed, never seen, 95 minutes late (allowed: 2 h): its rows of 02:00 and 03:00 are behind
            .addElements(event("zed", START + 90 * MINUTE, 3))
            .advanceWatermarkTo(new Instant(START + 3 * HOUR + 10 * MINUTE))
            // a second late event of zed restates those rows
            .addElements(event("zed", START + 100 * MINUTE, 4))
            .advanceWatermarkToInfinity();
    StreamingOptions options = PipelineOptionsFactory.as(StreamingOptions.class);
    options.setStreaming(true);
    TestPipeline p = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    String run = "late-rows-" + System.nanoTime();
    PCollectionTuple.of(ComputeFeatures.sourceTag("events"), p.apply("Stream", stream))
        .apply("Compute", ComputeFeatures.of(StreamScenario.repository()))
        .rows()
        .apply("Collect", Collected.into(run));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    // the first row of each (user, window end) of group activity
    Map<String, FeatureRow> first = new TreeMap<>();
    List<FeatureRow> zedRows = new ArrayList<>();
    for (FeatureRow r : Collected.<FeatureRow>get(run)) {
      if (!r.group().equals("activity")) {
        continue;
      }
      first.merge(r.identity(), r, (a, b) -> a.sequence() <= b.sequence() ? a : b);
      if (r.key().equals(List.of("zed"))) {
        zedRows.add(r);
      }
    }
    long onTime = 0;
    for (FeatureRow r : first.values()) {
      if (r.key().equals(List.of("zed")) && r.windowEndMillis() <= START + 3 * HOUR) {
        assertTrue(r.restated(), "emitted behind the watermark: " + r);
      } else {
        onTime++;
        assertFalse(r.restated(), "emitted as the watermark passed it: " + r);
      }
    }
    assertTrue(onTime >= 12, "rows on time: " + onTime);
    assertTrue(first.containsKey("activity|[yan]|" + (START + HOUR)), first.keySet().toString());
    assertTrue(first.containsKey("activity|[zed]|" + (START + 2 * HOUR)), first.keySet().toString());
    assertTrue(first.containsKey("activity|[zed]|" + (START + 3 * HOUR)), first.keySet().toString());
    // the second event restated both (a higher sequence)
    assertEquals(4, zedRows.stream().filter(r -> r.windowEndMillis() <= START + 3 * HOUR).count(), zedRows.toString());
    assertEquals(2, counter(result, "feature_rows_emitted_late"));
  }

  static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build())
        .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
