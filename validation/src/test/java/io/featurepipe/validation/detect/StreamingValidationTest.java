package io.featurepipe.validation.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecord;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.validation.anomalies.ValidationOptions;
import io.featurepipe.validation.columns.DatasetKind;
import io.featurepipe.validation.output.ValidationFiles;
import io.featurepipe.validation.output.ValidationLayout;
import io.featurepipe.validation.schema.SchemaFromDefinitions;
import io.featurepipe.validation.stats.ComputeStatistics;
import io.featurepipe.validation.testing.Corruption;
import io.featurepipe.validation.testing.SamplePayments;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;

/**
 * Statistics per window in a stream, validated as each window closes: a corrupted hour raises its
 * alerts in that window's on-time pane (so within one statistics window), a clean hour none; and
 * the streamed and the bounded transform give the same bytes as the CombineFn applied directly.
 */
class StreamingValidationTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();
  @TempDir Path out;

  private static final Instant H12 = Instant.parse("2026-01-02T12:00:00Z");
  private static final long HOUR_NANOS = 3_600_000_000_000L;

  @Test
  void corruptedWindowAlertsInItsOnTimePane(TestPipeline p) throws Exception {
    FeatureRepository repo = SamplePayments.repository();
    FeatureGroupDef spend = repo.group("user_spend");
    List<SourceRecord> clean = new ArrayList<>();
    for (SourceRecord r : SamplePayments.payments(repo, 2, 2)) {
      long ms = r.eventTimeMillis();
      if (ms >= H12.toEpochMilli() && ms < H12.toEpochMilli() + 3_600_000L) {
        clean.add(r);
      }
    }
    List<SourceRecord> bad = new ArrayList<>();
    for (SourceRecord r : Corruption.corrupt(repo.source("payments"), clean, 3)) {
      bad.add(new SourceRecord(r.source(), r.eventTimeNanos() + HOUR_NANOS, r.values(), r.origin()));
    }
    int amount = repo.source("payments").indexOf("amount");
    bad.get(0).values()[amount] = 250_000.0; // surely out of range, whatever the random corruption did
    bad.get(1).values()[amount] = -40.0;
    DatasetFeatureStatistics baseline = SamplePayments.groupInputStatistics(repo, spend, clean);

    TestStream.Builder<SourceRecord> stream = TestStream.create(SourceRecordCoder.of());
    // the clean hour in four bundles, so that its statistics merge four partial accumulators
    int quarter = (clean.size() + 3) / 4;
    for (int from = 0; from < clean.size(); from += quarter) {
      List<SourceRecord> part = clean.subList(from, Math.min(clean.size(), from + quarter));
      stream = stream.addElements(stamp(part.get(0)), part.subList(1, part.size()).stream().map(StreamingValidationTest::stamp).toArray(TimestampedValue[]::new));
    }
    stream = stream.advanceWatermarkTo(new org.joda.time.Instant(H12.toEpochMilli() + 3_600_000L));
    stream = stream.addElements(stamp(bad.get(0)), bad.subList(1, bad.size()).stream().map(StreamingValidationTest::stamp).toArray(TimestampedValue[]::new));

    PCollection<DatasetFeatureStatisticsList> stats =
        p.apply(stream.advanceWatermarkToInfinity())
            .apply("Statistics", ComputeStatistics.ofGroupInput(repo, spend).withFixedWindows(Duration.ofHours(1)));
    DetectedAnomalies detected =
        stats.apply("DetectAnomalies", DetectAnomalies.of("user_spend", DatasetKind.GROUP_INPUT,
                SchemaFromDefinitions.forGroupInput(repo, spend))
            .withOptions(ValidationOptions.defaults().withBaseline(baseline))
            .withOutputRoot(out.toString()));

    IntervalWindow first = window(H12);
    IntervalWindow second = window(H12.plus(Duration.ofHours(1)));
    PAssert.that(detected.alerts()).inWindow(first).empty();
    // combined within bundles and merged, the window's statistics are the CombineFn's, bit for bit
    byte[] expectedFirst = DatasetFeatureStatisticsList.newBuilder().addDatasets(baseline).build().toByteArray();
    PAssert.that(stats).inOnTimePane(first).satisfies(s -> {
      List<DatasetFeatureStatisticsList> all = new ArrayList<>();
      s.forEach(all::add);
      assertEquals(1, all.size());
      org.junit.jupiter.api.Assertions.assertArrayEquals(expectedFirst, all.get(0).toByteArray());
      return null;
    });
    long secondStart = second.start().getMillis();
    long secondEnd = second.end().getMillis();
    PAssert.that(detected.alerts()).inOnTimePane(second).satisfies(alerts -> {
      Set<String> got = new TreeSet<>();
      for (Alert a : alerts) {
        assertEquals(secondStart, a.windowStartMillis());
        assertEquals(secondEnd, a.windowEndMillis());
        assertEquals("user_spend", a.group());
        got.add(a.feature() + " " + a.check());
      }
      assertTrue(got.contains("amount FLOAT_TYPE_BIG_FLOAT"), got.toString());
      assertTrue(got.contains("amount FLOAT_TYPE_SMALL_FLOAT"), got.toString());
      assertTrue(got.contains("currency COMPARATOR_L_INFTY_HIGH"), got.toString());
      return null;
    });
    PAssert.that(detected.anomalies()).inOnTimePane(first).satisfies(a -> {
      a.forEach(x -> assertEquals(0, x.getAnomalyInfoCount(), x.toString()));
      return null;
    });
    p.run().waitUntilFinish();

    String dir = ValidationLayout.directory(out.toString(), "user_spend", DatasetKind.GROUP_INPUT, H12.plus(Duration.ofHours(1)));
    assertTrue(ValidationFiles.readAnomalies(ValidationLayout.join(dir, ValidationLayout.ANOMALIES)).getAnomalyInfoCount() > 0);
    assertEquals(SchemaFromDefinitions.forGroupInput(repo, spend), ValidationFiles.readSchema(ValidationLayout.join(dir, ValidationLayout.SCHEMA)));
    assertTrue(ValidationFiles.readSchema(ValidationLayout.join(dir, ValidationLayout.INFERRED_SCHEMA)).getFeatureCount() > 10);
    assertEquals(bad.size(), ValidationFiles.readStatistics(ValidationLayout.join(dir, ValidationLayout.STATS)).getDatasets(0).getNumExamples()
        + countFilteredOut(repo, bad));
  }

  private static long countFilteredOut(FeatureRepository repo, List<SourceRecord> records) {
    int amount = repo.source("payments").indexOf("amount");
    return records.stream().filter(r -> r.value(amount) == null).count(); // user_spend keeps amount != null
  }

  private static TimestampedValue<SourceRecord> stamp(SourceRecord r) {
    return TimestampedValue.of(r, new org.joda.time.Instant(r.eventTimeMillis()));
  }

  private static IntervalWindow window(Instant start) {
    return new IntervalWindow(new org.joda.time.Instant(start.toEpochMilli()), org.joda.time.Duration.standardHours(1));
  }

  @Test
  void boundedStatisticsEqualTheCombineFnBitForBit(TestPipeline p) {
    FeatureRepository repo = SamplePayments.repository();
    List<SourceRecord> records = SamplePayments.payments(repo, 4, 4);
    DatasetFeatureStatisticsList expected = DatasetFeatureStatisticsList.newBuilder()
        .addDatasets(SamplePayments.sourceStatistics(repo.source("payments"), records)).build();
    PCollection<DatasetFeatureStatisticsList> stats =
        p.apply(Create.of(records).withCoder(SourceRecordCoder.of()))
            .apply("Statistics", ComputeStatistics.ofSource(repo.source("payments")).withFanout(4));
    PAssert.thatSingleton(stats).satisfies(s -> {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toByteArray(), s.toByteArray());
      assertEquals(expected, s);
      return null;
    });

    // feature rows: only the group's, explicit empties excluded; keys then features
    FeatureGroupDef logins = repo.group("user_logins");
    List<FeatureRow> rows = new ArrayList<>();
    Object[] values = new Object[logins.features().size()];
    values[0] = 3L;
    rows.add(new FeatureRow("user_logins", "v", List.of("u1"), 0, values, false, new BitSet(), false, 0));
    rows.add(new FeatureRow("user_logins", "v", List.of("u1"), 1, values.clone(), true, new BitSet(), false, 1));
    rows.add(new FeatureRow("user_spend", "v", List.of("u1"), 0, new Object[] {1L}, false, new BitSet(), false, 0));
    PCollection<DatasetFeatureStatisticsList> featureStats =
        p.apply("Rows", Create.of(rows).withCoder(FeatureRow.Coder.of()))
            .apply("FeatureStatistics", ComputeStatistics.ofGroupFeatures(repo, logins));
    PAssert.thatSingleton(featureStats).satisfies(s -> {
      DatasetFeatureStatistics d = s.getDatasets(0);
      assertEquals(1, d.getNumExamples());
      assertEquals("user_id", d.getFeatures(0).getPath().getStep(0));
      assertEquals(1 + logins.features().size(), d.getFeaturesCount());
      assertEquals(3.0, d.getFeatures(1).getNumStats().getMax());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
