package io.featurepipe.validation.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.record.Alert;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.validation.clock.Clock;
import io.featurepipe.validation.testing.SamplePayments;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Freshness of online watermarks and volume of feature rows. */
class MonitorTest {
  @RegisterExtension final transient TestPipelineExtension pipeline = TestPipelineExtension.create();

  private static final Instant NOW = Instant.parse("2026-01-15T12:30:00Z");
  private static final FreshnessPolicy HOURLY = new FreshnessPolicy(Duration.ofMinutes(122), Duration.ofMinutes(242));

  @Test
  void defaultsFollowTheGroupsHop() {
    FreshnessPolicy p = FreshnessPolicy.forGroup(SamplePayments.repository().group("user_spend"));
    assertEquals(HOURLY, p);
  }

  @Test
  void freshnessThresholds() {
    assertTrue(FreshnessCheck.check("g", NOW.minus(Duration.ofMinutes(90)), NOW, HOURLY).isEmpty());
    Alert warn = FreshnessCheck.check("g", NOW.minus(Duration.ofMinutes(150)), NOW, HOURLY).orElseThrow();
    assertEquals(Alert.Severity.WARNING, warn.severity());
    assertEquals(9000.0, warn.measured());
    assertEquals(7320.0, warn.threshold());
    Alert error = FreshnessCheck.check("g", NOW.minus(Duration.ofHours(6)), NOW, HOURLY).orElseThrow();
    assertEquals(Alert.Severity.ERROR, error.severity());
    assertEquals("freshness", error.check());
    assertEquals(NOW.toEpochMilli(), error.windowEndMillis());
  }

  @Test
  void stalledWatermarkRaisesAFreshnessAlert(TestPipeline p) {
    List<KV<String, Long>> readings = List.of(
        KV.of("user_spend", NOW.minus(Duration.ofMinutes(32)).toEpochMilli()),  // fresh
        KV.of("merchant_risk", NOW.minus(Duration.ofHours(7)).toEpochMilli())); // stalled
    PCollection<Alert> alerts =
        p.apply(Create.of(readings).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
            .apply("CheckFreshness",
                CheckFreshness.of(Map.of("user_spend", HOURLY, "merchant_risk", HOURLY)).withClock(Clock.fixed(NOW)));
    PAssert.that(alerts).containsInAnyOrder(
        new Alert("merchant_risk", "", "freshness", 25200.0, 14520.0, NOW.minus(Duration.ofHours(7)).toEpochMilli(),
            NOW.toEpochMilli(), Alert.Severity.ERROR,
            "online watermark of merchant_risk is 25200 s behind now (at 2026-01-15T05:30:00Z); more than 14520 s means the stream is stalled or late"));
    p.run().waitUntilFinish();
  }

  @Test
  void volumeAgainstHistory() {
    VolumePolicy policy = VolumePolicy.defaults();
    List<Long> history = List.of(100L, 120L, 80L, 110L);
    assertTrue(VolumeCheck.check("g", 105, history, 0, 1, policy).isEmpty());
    Alert low = VolumeCheck.check("g", 40, history, 0, 1, policy).orElseThrow();
    assertEquals(Alert.Severity.WARNING, low.severity());
    assertEquals(40 / 105.0, low.measured(), 1e-12);
    assertEquals(0.5, low.threshold());
    assertEquals(Alert.Severity.ERROR, VolumeCheck.check("g", 600, history, 0, 1, policy).orElseThrow().severity());
    assertTrue(VolumeCheck.check("g", 0, List.of(5L), 0, 1, policy).isEmpty()); // too little history
  }

  @Test
  void boundedVolumeCountsRowsAndMissingGroups(TestPipeline p) {
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(new FeatureRow("user_spend", "1", List.of("u" + i), 3_600_000L, new Object[] {1L}, false, new BitSet(), false, 0));
    }
    rows.add(new FeatureRow("user_spend", "1", List.of("u0"), 7_200_000L, new Object[] {0L}, true, new BitSet(), false, 1));
    PCollection<Alert> alerts =
        p.apply(Create.of(rows).withCoder(FeatureRow.Coder.of()))
            .apply(CheckVolume.featureRows())
            .apply("CheckVolume", CheckVolume.of(Map.of(
                "user_spend", List.of(100L, 95L, 105L),
                "user_logins", List.of(50L, 40L, 60L))));
    PAssert.that(alerts).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(a -> got.add(a.group() + " " + a.severity() + " " + a.measured()));
      assertEquals(List.of("user_logins ERROR 0.0"), got); // user_spend: 100 rows, the empty row not counted
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void streamedVolumeCountsEachWindow(TestPipeline p) {
    List<TimestampedValue<FeatureRow>> rows = new ArrayList<>();
    long hour = 3_600_000L;
    for (int i = 0; i < 130; i++) {
      long end = i < 100 ? hour : 2 * hour; // 100 rows in the first hour, 30 in the second
      rows.add(TimestampedValue.of(
          new FeatureRow("user_spend", "1", List.of("u" + i), end, new Object[] {1L}, false, new BitSet(), false, 0),
          org.joda.time.Instant.ofEpochMilli(end - 1)));
    }
    // a stream: the first hour's rows in two bundles, then the second hour's
    TestStream<FeatureRow> stream = TestStream.create(FeatureRow.Coder.of())
        .addElements(rows.get(0), rows.subList(1, 50).toArray(TimestampedValue[]::new))
        .addElements(rows.get(50), rows.subList(51, 100).toArray(TimestampedValue[]::new))
        .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(hour))
        .addElements(rows.get(100), rows.subList(101, 130).toArray(TimestampedValue[]::new))
        .advanceWatermarkToInfinity();
    PCollection<Alert> alerts =
        p.apply(stream)
            .apply(CheckVolume.featureRows())
            .apply("CheckVolume", CheckVolume.of(Map.of("user_spend", List.of(100L, 95L, 105L)))
                .withFixedWindows(Duration.ofHours(1)));
    PAssert.that(alerts).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(a -> got.add(a.group() + " " + a.windowStartMillis() + " " + a.measured()));
      assertEquals(List.of("user_spend " + hour + " " + 30 / 100.0), got); // the first hour is as usual
      return null;
    });
    p.run().waitUntilFinish();
  }

  private static final long HOUR = 3_600_000L;

  /** Rows per hour of a stream whose volume jumps fivefold in its fourth hour, stays, then falls back. */
  private static final long[] PER_HOUR = {10, 10, 10, 50, 50, 50, 10};

  /**
   * The alerts of {@link #PER_HOUR} checked against the 3 windows before each: hours 1-3 have too
   * little history, hour 4 (5x the median 10) and 5 (history 10, 10, 50) warn, hour 6 does not
   * (history 10, 50, 50: the first hour has left it; all five past hours would give median 10, 5x),
   * and the last hour, checked when the input ends, warns (a fifth of the median 50).
   */
  private static final List<String> AGAINST_THREE_PAST = List.of(
      "user_spend " + 3 * HOUR + " WARNING 5.0 2.0", "user_spend " + 4 * HOUR + " WARNING 5.0 2.0",
      "user_spend " + 6 * HOUR + " WARNING 0.2 0.5");

  private static List<TimestampedValue<FeatureRow>> rowsOfHour(int h) {
    List<TimestampedValue<FeatureRow>> rows = new ArrayList<>();
    long end = (h + 1) * HOUR;
    for (int i = 0; i < PER_HOUR[h]; i++) {
      rows.add(TimestampedValue.of(
          new FeatureRow("user_spend", "1", List.of("u" + i), end, new Object[] {1L}, false, new BitSet(), false, 0),
          org.joda.time.Instant.ofEpochMilli(end - 1)));
    }
    return rows;
  }

  @Test
  void aLiveStreamsVolumeIsComparedWithItsOwnPastWindows(TestPipeline p) {
    TestStream.Builder<FeatureRow> stream = TestStream.create(FeatureRow.Coder.of());
    for (int h = 0; h < PER_HOUR.length; h++) {
      List<TimestampedValue<FeatureRow>> rows = rowsOfHour(h);
      stream = stream.addElements(rows.get(0), rows.subList(1, rows.size()).toArray(TimestampedValue[]::new))
          .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli((h + 1) * HOUR));
    }
    assertPastWindowAlerts(p, stream.advanceWatermarkToInfinity(), AGAINST_THREE_PAST);
  }

  @Test
  void aBacklogsWindowsAreCheckedInTheOrderOfTheirEnds(TestPipeline p) {
    // every hour in one bundle, the last hour first: all windows close at one watermark step
    List<TimestampedValue<FeatureRow>> rows = new ArrayList<>();
    for (int h = PER_HOUR.length - 1; h >= 0; h--) {
      rows.addAll(rowsOfHour(h));
    }
    TestStream<FeatureRow> stream = TestStream.create(FeatureRow.Coder.of())
        .addElements(rows.get(0), rows.subList(1, rows.size()).toArray(TimestampedValue[]::new))
        .advanceWatermarkToInfinity();
    assertPastWindowAlerts(p, stream, AGAINST_THREE_PAST);
  }

  private static void assertPastWindowAlerts(TestPipeline p, TestStream<FeatureRow> stream, List<String> expected) {
    PCollection<Alert> alerts =
        p.apply(stream)
            .apply(CheckVolume.featureRows())
            .apply("CheckVolume", CheckVolume.againstPastWindows(List.of("user_spend"), 3)
                .withFixedWindows(Duration.ofHours(1)));
    PAssert.that(alerts).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(a -> got.add(a.group() + " " + a.windowStartMillis() + " " + a.severity() + " " + a.measured()
          + " " + a.threshold()));
      got.sort(null);
      assertEquals(expected, got);
      return null;
    });
    p.run().waitUntilFinish();
  }

  /**
   * A bounded run's days, each against the days with rows before it (the lookback's days, then the
   * run's): a day without rows is an ERROR and no part of the next days' history, a tripled day a
   * WARNING; a row belongs to the date of its window end (the third day's rows all end at its
   * midnight), and rows after the run are not counted.
   */
  @Test
  void aBoundedRunChecksEachDayAgainstTheDaysBefore(TestPipeline p) {
    java.time.LocalDate d1 = java.time.LocalDate.of(2026, 1, 5);
    java.time.LocalDate lookback = d1.minusDays(3);
    long[] perDay = {100, 110, 90, 100, 0, 105, 300, 104, 1000}; // from the lookback; the last day is after the run
    List<FeatureRow> rows = new ArrayList<>();
    for (int d = 0; d < perDay.length; d++) {
      long midnight = lookback.plusDays(d).toEpochDay() * 24 * HOUR;
      for (int i = 0; i < perDay[d]; i++) {
        long end = d == 5 ? midnight : midnight + (1 + i % 23) * HOUR;
        rows.add(new FeatureRow("user_spend", "1", List.of("u" + i), end, new Object[] {1L}, false, new BitSet(), false, 0));
      }
    }
    PCollection<Alert> alerts =
        p.apply(Create.of(rows).withCoder(FeatureRow.Coder.of()))
            .apply(CheckVolume.featureRows())
            .apply("CheckVolume", CheckVolume.perDay(List.of("user_spend", "user_logins"), lookback, d1, d1.plusDays(4), 4));
    long day = 24 * HOUR;
    long second = d1.plusDays(1).toEpochDay() * day;
    long fourth = d1.plusDays(3).toEpochDay() * day;
    PAssert.that(alerts).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(a -> got.add(a.group() + " " + a.windowStartMillis() + " " + (a.windowEndMillis() - a.windowStartMillis())
          + " " + a.severity() + " " + a.measured() + " " + a.threshold()));
      got.sort(null);
      // day 2: 0 against the median 100 of (100, 110, 90, 100); day 4: 300 against 102.5 of (110, 90, 100, 105)
      assertEquals(List.of(
          "user_spend " + second + " " + day + " ERROR 0.0 0.2",
          "user_spend " + fourth + " " + day + " WARNING " + 300 / 102.5 + " 2.0"), got);
      return null;
    });
    p.run().waitUntilFinish();
  }

  /** The same check per day over a source's records themselves: a day with a tenth of the usual records is an ERROR. */
  @Test
  void aBoundedRunChecksEachDayOfASourcesRecords(TestPipeline p) {
    java.time.LocalDate d1 = java.time.LocalDate.of(2026, 1, 5);
    java.time.LocalDate lookback = d1.minusDays(3);
    long[] perDay = {100, 110, 90, 100, 10};
    List<io.featurepipe.transforms.record.SourceRecord> records = new ArrayList<>();
    for (int d = 0; d < perDay.length; d++) {
      long midnight = lookback.plusDays(d).toEpochDay() * 24 * HOUR;
      for (int i = 0; i < perDay[d]; i++) {
        long nanos = (midnight + i * 60_000L) * 1_000_000L;
        records.add(new io.featurepipe.transforms.record.SourceRecord("payments", nanos, new Object[] {"u" + i}, "f:" + i));
      }
    }
    PCollection<Alert> alerts =
        p.apply(Create.of(records).withCoder(io.featurepipe.transforms.record.SourceRecordCoder.of()))
            .apply("CheckVolume", CheckVolume.perDay(List.of("payments"), lookback, d1, d1.plusDays(1), 28).onRecords("payments"));
    long second = d1.plusDays(1).toEpochDay() * 24 * HOUR;
    PAssert.that(alerts).satisfies(all -> {
      List<String> got = new ArrayList<>();
      all.forEach(a -> got.add(a.group() + " " + a.windowStartMillis() + " " + a.severity() + " " + a.measured()));
      assertEquals(List.of("payments " + second + " ERROR 0.1"), got); // 10 against the median 100
      return null;
    });
    p.run().waitUntilFinish();
  }
}
