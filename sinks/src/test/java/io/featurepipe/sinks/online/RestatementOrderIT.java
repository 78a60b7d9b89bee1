package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A restatement and the row it restates write the same cells; on the bundled emulator, with a
 * {@code TestStream} into {@link WriteOnline#stream}, the cell left is always the one of the
 * highest sequence — whatever order the rows reach the sink in and however late the restatement is
 * (within the allowed lateness, here 2 hours). Rows delivered together in one bundle would be
 * written by one batched write in delivery order, so each case fails without the ordering.
 */
class RestatementOrderIT {
  private static final FeatureRepository REPO = OnlineScenario.repository();
  private static final FeatureGroupDef ACTIVITY = REPO.group("activity");
  private static final long H = OnlineScenario.HOUR;
  private static final long M = OnlineScenario.MINUTE;
  private static final long T0 = OnlineScenario.START;
  /** The stream read every event since T0 - 24h: it owns the window ends from T0 - 17h on. */
  private static final Instant STREAM_START = Instant.ofEpochMilli(T0 - 24 * H);

  private static EmbeddedBigtable bigtable;

  @BeforeAll
  static void startEmulator() throws Exception {
    bigtable = EmbeddedBigtable.start();
  }

  @AfterAll
  static void stopEmulator() {
    if (bigtable != null) {
      bigtable.close();
    }
  }

  /** A row of group activity whose n_1h is {@code count}; a restatement writes every feature. */
  private static TimestampedValue<FeatureRow> row(String user, long e, long count, boolean restated, long sequence) {
    Object[] values = CompiledGroup.of(REPO, ACTIVITY).emptyValues();
    values[0] = count;
    BitSet writes = new BitSet();
    writes.set(0);
    if (restated) {
      writes.set(0, values.length);
    }
    return TimestampedValue.of(
        new FeatureRow("activity", ACTIVITY.version(), List.of(user), e, values, false, writes, restated, sequence),
        org.joda.time.Instant.ofEpochMilli(e - 1));
  }

  private static PipelineResult write(BigtableTarget target, TestStream<FeatureRow> rows) {
    StreamingOptions options = PipelineOptionsFactory.as(StreamingOptions.class);
    options.setStreaming(true);
    TestPipeline p = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    p.apply("Rows", rows).apply("WriteOnline", WriteOnline.stream(target, REPO, STREAM_START).withGroups(List.of("activity")));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }

  private static long counter(PipelineResult result, String name) {
    MetricQueryResults q = result.metrics().queryMetrics(
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named("featurepipe", name)).build());
    long sum = 0;
    for (MetricResult<Long> c : q.getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }

  /** n_1h of each user at window end e, as the store holds it. */
  private static Map<String, Object> countsAt(BigtableTarget target, List<String> users, long e) {
    try (OnlineReader reader = OnlineReader.open(target, REPO, java.time.Duration.ofDays(3650))) {
      List<Map<String, Object>> keys = new ArrayList<>();
      users.forEach(u -> keys.add(Map.of("user", u)));
      long asOf = (e + 2 * M) * 1_000_000L; // availability delay 2m: e(t) = e
      List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of("activity"), asOf);
      Map<String, Object> out = new java.util.TreeMap<>();
      for (int i = 0; i < users.size(); i++) {
        OnlineValues v = read.get(i).get("activity");
        assertEquals(e, v.windowEndMillis(), "the watermark cell covers e");
        out.put(users.get(i), v.values().get("n_1h"));
      }
      return out;
    } catch (java.io.IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  @Test
  void restatementsOfOneCellOutOfSequenceOrderLeaveTheHighestSequence() throws Exception {
    BigtableTarget t = StoreTesting.target(bigtable, "out_of_sequence");
    PrepareOnlineStore.of(t, REPO).prepare();
    long e = T0 + H;
    TestStream<FeatureRow> rows =
        TestStream.create(FeatureRow.Coder.of())
            .addElements(row("ana", e, 1, false, 1), row("bo", e, 1, false, 1))
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e + 30 * M))
            // late: the later restatement of ana's cell reaches the sink first, in one bundle
            .addElements(row("ana", e, 3, true, 3), row("ana", e, 2, true, 2))
            // later still: past the allowed lateness of the window end (2h), not past the hop after
            // it; and a restatement of a window (e + 1h) in which no original cell was written
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e + 2 * H + 30 * M))
            .addElements(row("bo", e, 5, true, 2), row("cy", e + H, 7, true, 4))
            .advanceWatermarkToInfinity();
    PipelineResult result = write(t, rows);
    assertEquals(Map.of("ana", 3L, "bo", 5L), countsAt(t, List.of("ana", "bo"), e));
    String cyCell = StoreTesting.cellId("user#2:cy", OnlineLayout.family(ACTIVITY), "n_1h", OnlineLayout.cellTimestamp(e + H));
    assertEquals(java.util.HexFormat.of().formatHex(CellValues.encode(7L, ACTIVITY.features().get(0).outputType()).toByteArray()),
        StoreTesting.dump(t).get(cyCell), cyCell);
    assertEquals(3, counter(result, "online_restatements_written"));
    assertEquals(1, counter(result, "online_restatements_superseded"));
    // two originals of one cell each, three restatements of every feature (11 of group activity)
    assertEquals(2 + 3 * ACTIVITY.features().size(), counter(result, "online_cells_written"));
  }

  @Test
  void everyKeyEndsWithItsRestatementWhicheverArrivesFirst() throws Exception {
    BigtableTarget t = StoreTesting.target(bigtable, "many_keys");
    PrepareOnlineStore.of(t, REPO).prepare();
    long e1 = T0 + H;
    long e2 = T0 + 2 * H;
    List<String> users = new ArrayList<>();
    List<TimestampedValue<FeatureRow>> first = new ArrayList<>();
    List<TimestampedValue<FeatureRow>> second = new ArrayList<>();
    for (int u = 0; u < 60; u++) {
      String user = "user" + u;
      users.add(user);
      // in one bundle each: the restatement ahead of the row it restates
      first.add(row(user, e1, 100 + u, true, 2));
      first.add(row(user, e1, 1, false, 1));
      second.add(row(user, e2, 200 + u, true, 4));
      second.add(row(user, e2, 1, false, 3));
    }
    TestStream<FeatureRow> rows =
        TestStream.create(FeatureRow.Coder.of())
            .addElements(first.get(0), first.subList(1, first.size()).toArray(TimestampedValue[]::new))
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e1 + 10 * M))
            .addElements(second.get(0), second.subList(1, second.size()).toArray(TimestampedValue[]::new))
            .advanceWatermarkToInfinity();
    PipelineResult result = write(t, rows);
    Map<String, Object> expected1 = new java.util.TreeMap<>();
    Map<String, Object> expected2 = new java.util.TreeMap<>();
    for (int u = 0; u < users.size(); u++) {
      expected1.put(users.get(u), 100L + u);
      expected2.put(users.get(u), 200L + u);
    }
    assertEquals(expected1, countsAt(t, users, e1));
    assertEquals(expected2, countsAt(t, users, e2));
    assertEquals(2L * users.size(), counter(result, "online_restatements_written"));
  }

  /**
   * The batched write of a row emitted late may land after the row's restatement was written (no
   * watermark names the moment it is written): simulated here by writing the row's cell again,
   * directly, after the restatement, once before the first check and once between the first and
   * the second. Each check that finds the older value writes the restatement again; without the
   * checks the older value would stay. A later restatement takes over the checks of an earlier one
   * of the same cells: the check puts the later one back, never the earlier.
   */
  @Test
  void aRowLandingAfterItsRestatementIsOverwrittenByTheNextCheck() throws Exception {
    BigtableTarget t = StoreTesting.target(bigtable, "landing_late");
    PrepareOnlineStore.of(t, REPO).prepare();
    long e = T0 + H;
    TestStream<KV<String, FeatureRow>> rows =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), FeatureRow.Coder.of()))
            .addElements(write(row("ana", e, 1, false, 1)), write(row("bo", e, 1, false, 1)),
                write(row("cy", e, 1, false, 1)))
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e + 30 * M))
            .addElements(write(row("ana", e, 3, true, 2)), write(row("bo", e, 5, true, 2)),
                write(row("cy", e, 3, true, 2)))
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e + 35 * M))
            // cy's second restatement, written after the first
            .addElements(write(row("cy", e, 4, true, 3)))
            .advanceWatermarkTo(org.joda.time.Instant.ofEpochMilli(e + 40 * M))
            // the restatements are written; ana's and cy's rows land after them, before the first check
            .addElements(landsLate(row("ana", e, 1, false, 1)), landsLate(row("cy", e, 1, false, 1)))
            .advanceProcessingTime(Duration.standardSeconds(3))
            // bo's row lands after the first check of his restatement
            .addElements(landsLate(row("bo", e, 1, false, 1)))
            .advanceProcessingTime(Duration.standardSeconds(31))
            .advanceProcessingTime(Duration.standardMinutes(6))
            .advanceProcessingTime(Duration.standardMinutes(11))
            .advanceWatermarkToInfinity();
    StreamingOptions options = PipelineOptionsFactory.as(StreamingOptions.class);
    options.setStreaming(true);
    TestPipeline p = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    PCollection<KV<String, FeatureRow>> input = p.apply("Rows", rows);
    input
        .apply("ToWrite", Filter.by(kv -> kv.getKey().equals("write")))
        .apply("WriteRows", Values.create())
        .apply("WriteOnline", WriteOnline.stream(t, REPO, STREAM_START).withGroups(List.of("activity")));
    input
        .apply("LandingLate", Filter.by(kv -> kv.getKey().equals("late")))
        .apply("Late", Values.create())
        .apply("WriteDirectly", ParDo.of(new WriteDirectlyFn(t)));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(Map.of("ana", 3L, "bo", 5L, "cy", 4L), countsAt(t, List.of("ana", "bo", "cy"), e));
    assertEquals(4, counter(result, "online_restatements_written"));
    assertEquals(3, counter(result, "online_restatements_repaired"));
  }

  private static TimestampedValue<KV<String, FeatureRow>> write(TimestampedValue<FeatureRow> row) {
    return TimestampedValue.of(KV.of("write", row.getValue()), row.getTimestamp());
  }

  private static TimestampedValue<KV<String, FeatureRow>> landsLate(TimestampedValue<FeatureRow> row) {
    return TimestampedValue.of(KV.of("late", row.getValue()), row.getTimestamp());
  }

  /** Writes the n_1h cell of each row at its window end, synchronously, as a late batch would. */
  private static final class WriteDirectlyFn extends DoFn<FeatureRow, Void> {
    private final BigtableTarget target;

    WriteDirectlyFn(BigtableTarget target) {
      this.target = target;
    }

    @ProcessElement
    public void process(@Element FeatureRow row) throws IOException {
      try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
        client.mutateRow(RowMutation.create(
                TableId.of(target.table()), OnlineLayout.rowKey(REPO.entity(ACTIVITY.entity()), row.key()))
            .setCell(OnlineLayout.family(ACTIVITY), OnlineLayout.qualifier("n_1h"),
                OnlineLayout.cellTimestamp(row.windowEndMillis()),
                CellValues.encode(row.values()[0], ACTIVITY.features().get(0).outputType())));
      }
    }
  }
}
