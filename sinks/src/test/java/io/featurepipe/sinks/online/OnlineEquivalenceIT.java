package io.featurepipe.sinks.online;

import static com.google.cloud.bigtable.data.v2.models.Filters.FILTERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.Query;
import com.google.cloud.bigtable.data.v2.models.Row;
import com.google.cloud.bigtable.data.v2.models.RowCell;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.record.SourceRecordCoder;
import io.featurepipe.transforms.testing.Collected;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main promise at the sink (DESIGN §3): for every sampled (key, t) whose read is fresh and
 * final, the online read as of t equals the point-in-time value of a bounded run over the same
 * events (minus the too-late ones) — for a store written by a stream ({@code TestStream} into
 * {@code ComputeFeatures} into {@link WriteOnline#stream}), by materialize ({@link ToOnlineCells}
 * into {@link WriteOnline#batch}), and by both together, which never write the same cell. The
 * watermark cell only ever claims window ends whose cells are written.
 */
class OnlineEquivalenceIT {
  private static final FeatureRepository REPO = OnlineScenario.repository();
  private static final long H = OnlineScenario.HOUR;
  private static final long START = OnlineScenario.START;
  private static final Duration RETENTION = Duration.ofDays(7);

  private static EmbeddedBigtable bigtable;
  private static OnlineScenario scenario;
  private static OnlineScenario.Oracle oracle;
  private static List<FeatureRow> boundedRows;
  private static BigtableTarget streamed;
  private static BigtableTarget materialized;
  private static BigtableTarget both;
  private static final String RUN = "equivalence-" + System.nanoTime();
  /** The stream of table "both" started 20 hours in (after the quiet hours): it owns window ends from 27h on. */
  private static final long LATE_START = START + 20 * H;

  @BeforeAll
  static void writeTheStores() throws Exception {
    bigtable = EmbeddedBigtable.start();
    streamed = prepared("streamed");
    materialized = prepared("materialized");
    both = prepared("both");
    scenario = OnlineScenario.generate(5, 160, 20);
    assertTrue(scenario.tooLateCount() >= 3, "the scenario must hold too-late events");

    // 1. the stream, into two stores, and the bounded reference run
    StreamingOptions options = PipelineOptionsFactory.as(StreamingOptions.class);
    options.setStreaming(true);
    TestPipeline p = TestPipeline.fromOptions(options).enableAbandonedNodeEnforcement(false);
    PCollection<FeatureRow> rows = compute(p, "Stream", p.apply("Events", scenario.stream()));
    OnlineWriteResult early =
        rows.apply("WriteStreamed", WriteOnline.stream(streamed, REPO, Instant.ofEpochMilli(START - 24 * H)));
    early.written().apply("CollectStreamedWritten", Collected.into(RUN + "/streamedWritten"));
    early.deadLetters().apply("CollectStreamedDead", Collected.into(RUN + "/dead"));
    early.watermarks()
        .apply("CellsAtWatermark", ParDo.of(new CellsAtWatermarkFn(streamed)))
        .apply("CollectCellsAtWatermark", Collected.into(RUN + "/cellsAtWatermark"));
    // a stream that started at LATE_START and saw nothing before
    OnlineWriteResult late = compute(p, "LateStream", p.apply("EventsSinceStart", scenario.streamFrom(LATE_START)))
        .apply("WriteBothStream", WriteOnline.stream(both, REPO, Instant.ofEpochMilli(LATE_START)));
    late.written().apply("CollectBothStreamWritten", Collected.into(RUN + "/bothStream"));
    // the bounded reference run, and materialize of its rows into a fresh store
    PCollection<FeatureRow> bounded =
        compute(p, "Batch", p.apply("OnTime", Create.timestamped(scenario.onTime()).withCoder(SourceRecordCoder.of())));
    bounded.apply("CollectBounded", Collected.into(RUN + "/bounded"));
    Instant until = Instant.ofEpochMilli(scenario.endMillis + 12 * H);
    bounded
        .apply("AsOffline", ParDo.of(new OnlineScenario.AsOfflineFn()))
        .apply("ToOnlineCells", ToOnlineCells.of(REPO, Instant.ofEpochMilli(START), until))
        .apply("WriteMaterialized", WriteOnline.batch(materialized, REPO).withRangeEnd(until));
    p.run().waitUntilFinish();
    boundedRows = Collected.get(RUN + "/bounded");
    oracle = new OnlineScenario.Oracle(REPO, boundedRows);

    // 2. materialize into the stream's store, once the stream has registered and moved M
    TestPipeline m = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    m.apply("Offline", Create.of(OnlineScenario.offline(boundedRows)).withCoder(FeatureRow.Coder.of()))
        .apply("ToOnlineCells", ToOnlineCells.of(REPO, Instant.ofEpochMilli(START), until))
        .apply("WriteBothBatch", WriteOnline.batch(both, REPO).withRangeEnd(until))
        .written()
        .apply("CollectBothBatchWritten", Collected.into(RUN + "/bothBatch"));
    m.run().waitUntilFinish();
  }


  @AfterAll
  static void stop() {
    if (bigtable != null) {
      bigtable.close();
    }
  }

  private static BigtableTarget prepared(String table) throws IOException {
    BigtableTarget t = StoreTesting.target(bigtable, table);
    PrepareOnlineStore.of(t, REPO).withRetention(RETENTION).prepare();
    return t;
  }

  private static PCollection<FeatureRow> compute(TestPipeline p, String name, PCollection<io.featurepipe.transforms.record.SourceRecord> events) {
    FeatureOutputs out = PCollectionTuple.of(ComputeFeatures.sourceTag("events"), events)
        .apply("Compute" + name, ComputeFeatures.of(REPO));
    return out.rows();
  }

  /**
   * Reads every sampled (key, t) — all keys and both groups in each call — and compares the fresh
   * ones with the oracle; returns the mismatches, and counts the comparisons in {@code compared}.
   */
  private static String compareReads(BigtableTarget target, long seed, int times, int[] compared) throws IOException {
    List<Map<String, Object>> keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (FeatureRow r : boundedRows) {
      if (r.group().equals("pairs") && seen.add(r.key().toString())) {
        keys.add(Map.of("user", r.key().get(0), "item", r.key().get(1)));
      }
    }
    keys.add(Map.of("user", "nobody", "item", "nothing"));
    Random rnd = new Random(seed);
    StringBuilder mismatches = new StringBuilder();
    List<Long> sampled = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      long tMillis = START - 3 * H + (long) (rnd.nextDouble() * (scenario.endMillis - START + 12 * H));
      if (rnd.nextInt(4) == 0) {
        tMillis = Math.floorDiv(tMillis, H) * H + (rnd.nextBoolean() ? 2 * 60_000L : 5 * 60_000L); // e(t) changes here
      }
      sampled.add(tMillis * 1_000_000L + rnd.nextInt(1_000_000) - (rnd.nextInt(5) == 0 ? 1 : 0));
    }
    // and every hour around the late stream's first owned window end, where its writes take over
    for (long t = LATE_START + 4 * H; t < LATE_START + 18 * H; t += H) {
      sampled.add((t + 5 * 60_000L) * 1_000_000L + 1);
    }
    try (OnlineReader reader = OnlineReader.open(target, REPO, RETENTION)) {
      for (long tNanos : sampled) {
        List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of("activity", "pairs"), tNanos);
        for (int k = 0; k < keys.size(); k++) {
          for (FeatureGroupDef g : List.of(REPO.group("activity"), REPO.group("pairs"))) {
            OnlineValues v = read.get(k).get(g.name());
            assertEquals(Math.min(oracle.windowEnd(g.name(), tNanos), v.windowEndMillis()), v.windowEndMillis());
            if (!v.fresh()) {
              continue;
            }
            List<Object> key = g.name().equals("pairs")
                ? List.of(keys.get(k).get("user"), keys.get(k).get("item"))
                : List.of(keys.get(k).get("user"));
            mismatches.append(oracle.compare(g.name(), key, v.windowEndMillis(), v));
            compared[0]++;
          }
        }
      }
    }
    return mismatches.toString();
  }

  @Test
  void aStreamedStoreReadsAsThePointInTimeValues() throws IOException {
    int[] compared = {0};
    assertEquals("", compareReads(streamed, 1, 40, compared));
    assertTrue(compared[0] > 1000, "compared " + compared[0]);
    assertEquals(List.of(), Collected.get(RUN + "/dead"));
    // restatements proper write every feature (a row flagged only for being emitted behind the
    // watermark writes what changed)
    long restated = Collected.<FeatureRow>get(RUN + "/streamedWritten").stream()
        .filter(r -> r.restated() && r.onlineWrites().cardinality() == r.values().length).count();
    assertTrue(restated > 10, "the reads cover restatements (written by WriteRestatements): " + restated);
  }

  @Test
  void aMaterializedStoreReadsAsThePointInTimeValues() throws IOException {
    int[] compared = {0};
    assertEquals("", compareReads(materialized, 2, 40, compared));
    assertTrue(compared[0] > 1000, "compared " + compared[0]);
  }

  @Test
  void streamAndMaterializeTogetherNeverWriteTheSameCellAndReadTheSame() throws IOException {
    Set<String> stream = cells(Collected.get(RUN + "/bothStream"));
    Set<String> batch = cells(Collected.get(RUN + "/bothBatch"));
    assertTrue(stream.size() > 100 && batch.size() > 100, stream.size() + " " + batch.size());
    Set<String> common = new TreeSet<>(stream);
    common.retainAll(batch);
    assertEquals(Set.of(), common, "cells written by both");
    long sOwn = SelectOwnedCells.ownership(REPO, REPO.group("activity")).streamOwnsFrom(LATE_START);
    assertEquals(START + 27 * H, sOwn);
    int[] compared = {0};
    assertEquals("", compareReads(both, 3, 40, compared));
    assertTrue(compared[0] > 1000, "compared " + compared[0]);
  }

  /** (group, key, window end, feature) of every cell written. */
  private static Set<String> cells(List<FeatureRow> written) {
    Set<String> out = new HashSet<>();
    for (FeatureRow r : written) {
      for (int f = r.onlineWrites().nextSetBit(0); f >= 0; f = r.onlineWrites().nextSetBit(f + 1)) {
        out.add(r.group() + "|" + r.key() + "|" + r.windowEndMillis() + "|" + f);
      }
    }
    return out;
  }

  @Test
  void theWatermarkMovesOnlyOverWrittenCells() throws IOException {
    List<KV<String, List<String>>> checks = Collected.get(RUN + "/cellsAtWatermark");
    List<FeatureRow> written = Collected.get(RUN + "/streamedWritten");
    assertTrue(checks.size() > 20, "watermark advances: " + checks.size());
    Set<String> late = scenario.touchedByLateData(REPO);
    int checked = 0;
    Map<String, Long> last = new LinkedHashMap<>();
    for (KV<String, List<String>> check : checks) {
      String group = check.getKey().substring(0, check.getKey().indexOf('@'));
      long m = Long.parseLong(check.getKey().substring(check.getKey().indexOf('@') + 1));
      last.merge(group, m, Math::max);
      Set<String> present = new HashSet<>(check.getValue());
      FeatureGroupDef g = REPO.group(group);
      for (FeatureRow r : written) {
        // rows emitted on time (no restatement, no late data) at or before M must be in the store
        // when M moves
        if (r.group().equals(group) && !r.restated() && r.windowEndMillis() <= m
            && !late.contains(r.group() + "|" + r.key() + "|" + r.windowEndMillis())) {
          for (int f = r.onlineWrites().nextSetBit(0); f >= 0; f = r.onlineWrites().nextSetBit(f + 1)) {
            String id = StoreTesting.cellId(
                OnlineLayout.rowKey(REPO.entity(g.entity()), r.key()).toStringUtf8(), OnlineLayout.family(g),
                g.features().get(f).name(), OnlineLayout.cellTimestamp(r.windowEndMillis()));
            assertTrue(present.contains(id), "M moved to " + Instant.ofEpochMilli(m) + " before " + id + " was written");
            checked++;
          }
        }
      }
    }
    assertTrue(checked > 1000, "cells checked: " + checked);
    try (BigtableDataClient client = BigtableDataClient.create(streamed.dataSettings())) {
      Map<String, StoreMetadata.GroupState> meta =
          StoreMetadata.read(client, streamed.table(), List.of(REPO.group("activity"), REPO.group("pairs")));
      assertEquals(last.get("activity"), meta.get("activity").watermarkMillis());
      assertEquals(last.get("pairs"), meta.get("pairs").watermarkMillis());
    }
  }

  /** For each watermark advance (group, e): every cell of the group at or before e in the store now. */
  static final class CellsAtWatermarkFn extends DoFn<KV<String, Long>, KV<String, List<String>>> {
    private final BigtableTarget target;
    private transient BigtableDataClient client;

    CellsAtWatermarkFn(BigtableTarget target) {
      this.target = target;
    }

    @Setup
    public void setup() throws IOException {
      client = BigtableDataClient.create(target.dataSettings());
    }

    @ProcessElement
    public void process(@Element KV<String, Long> advance, OutputReceiver<KV<String, List<String>>> out) {
      FeatureGroupDef g = REPO.group(advance.getKey());
      String family = OnlineLayout.family(g);
      List<String> cells = new ArrayList<>();
      Query q = Query.create(TableId.of(target.table()))
          .filter(FILTERS.chain()
              .filter(FILTERS.family().exactMatch(family))
              .filter(FILTERS.timestamp().range().startClosed(0L).endOpen(OnlineLayout.cellTimestamp(advance.getValue()) + 1)));
      for (Row row : client.readRows(q)) {
        for (RowCell c : row.getCells()) {
          cells.add(StoreTesting.cellId(row.getKey().toStringUtf8(), c.getFamily(), c.getQualifier().toStringUtf8(), c.getTimestamp()));
        }
      }
      out.output(KV.of(advance.getKey() + "@" + advance.getValue(), cells));
    }

    @Teardown
    public void teardown() {
      if (client != null) {
        client.close();
      }
    }
  }
}
