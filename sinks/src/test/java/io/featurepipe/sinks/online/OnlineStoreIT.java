package io.featurepipe.sinks.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigtable.admin.v2.BigtableTableAdminClient;
import com.google.cloud.bigtable.admin.v2.models.CreateTableRequest;
import com.google.cloud.bigtable.admin.v2.models.GCRules;
import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The online store on the bundled Bigtable emulator (one per class): preparing the table, the
 * metadata cells, idempotent and order-proof writes, restatements, and the reader's rules.
 */
class OnlineStoreIT {
  private static final FeatureRepository REPO = OnlineScenario.repository();
  private static final FeatureGroupDef ACTIVITY = REPO.group("activity");
  private static final long H = OnlineScenario.HOUR;
  private static final long T0 = OnlineScenario.START;
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

  private static BigtableTarget prepared(String table) throws Exception {
    BigtableTarget t = StoreTesting.target(bigtable, table);
    PrepareOnlineStore.of(t, REPO).prepare();
    return t;
  }

  @Test
  void prepareCreatesTheLayoutAndSaysWhatDiffers() throws Exception {
    BigtableTarget t = StoreTesting.target(bigtable, "prepare");
    PrepareOnlineStore prepare = PrepareOnlineStore.of(t, REPO);
    assertEquals(List.of("table 'prepare' does not exist"), prepare.check());
    prepare.prepare();
    assertEquals(List.of(), prepare.check());
    prepare.prepare(); // again: nothing to do
    // a family with another GC rule is reported, and prepare refuses to go on
    try (BigtableTableAdminClient admin = BigtableTableAdminClient.create(t.adminSettings())) {
      admin.modifyFamilies(com.google.cloud.bigtable.admin.v2.models.ModifyColumnFamiliesRequest.of("prepare")
          .updateFamily(OnlineLayout.family(ACTIVITY), GCRules.GCRULES.maxVersions(3)));
    }
    List<String> differs = prepare.check();
    assertEquals(1, differs.size(), differs.toString());
    assertTrue(differs.get(0).startsWith("family 'activity.v" + ACTIVITY.version() + "' has GC rule"), differs.get(0));
    IllegalStateException e = assertThrows(IllegalStateException.class, prepare::prepare);
    assertTrue(e.getMessage().contains("differs from the layout"), e.getMessage());
    // on Cloud Bigtable the families expire cells by age; the emulator, which collects by its wall
    // clock, gets no age rule so replayed history survives
    assertTrue(PrepareOnlineStore.of(BigtableTarget.parse("p/i/t"), REPO).families().get(OnlineLayout.family(ACTIVITY)).toProto().hasMaxAge());
    assertFalse(prepare.families().get(OnlineLayout.family(ACTIVITY)).toProto().hasMaxAge());
    // GC max age = longest window (6h) + retention (2 days)
    assertEquals(GCRules.GCRULES.maxAge(Duration.ofHours(54).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).toProto(),
        PrepareOnlineStore.featureRule(ACTIVITY, Duration.ofDays(2)).toProto());

    BigtableTarget partial = StoreTesting.target(bigtable, "partial");
    try (BigtableTableAdminClient admin = BigtableTableAdminClient.create(partial.adminSettings())) {
      admin.createTable(CreateTableRequest.of("partial").addFamily(OnlineLayout.META_FAMILY, GCRules.GCRULES.maxVersions(1)));
    }
    assertEquals(2, PrepareOnlineStore.of(partial, REPO).check().size());
    PrepareOnlineStore.of(partial, REPO).prepare();
    assertEquals(List.of(), PrepareOnlineStore.of(partial, REPO).check());
  }

  @Test
  void watermarkAndStreamStartNeverMoveBack() throws Exception {
    BigtableTarget t = prepared("metadata");
    try (BigtableDataClient client = BigtableDataClient.create(t.dataSettings())) {
      List<Long> seen = new ArrayList<>();
      for (long m : new long[] {5 * H, 3 * H, 7 * H, 7 * H, 6 * H}) {
        client.mutateRow(RowMutation.create(TableId.of(t.table()), OnlineLayout.metadataRow(ACTIVITY))
            .setCell(OnlineLayout.META_FAMILY, OnlineLayout.WATERMARK, OnlineLayout.cellTimestamp(m), StoreMetadata.encode(m)));
        seen.add(StoreMetadata.read(client, t.table(), List.of(ACTIVITY)).get("activity").watermarkMillis());
      }
      assertEquals(List.of(5 * H, 5 * H, 7 * H, 7 * H, 7 * H), seen);
      StoreMetadata.registerStreamStart(client, t.table(), ACTIVITY, 10 * H);
      StoreMetadata.registerStreamStart(client, t.table(), ACTIVITY, 4 * H);
      assertEquals(new StoreMetadata.GroupState(7 * H, 10 * H), StoreMetadata.read(client, t.table(), List.of(ACTIVITY)).get("activity"));
      assertEquals(StoreMetadata.GroupState.NONE, StoreMetadata.read(client, t.table(), List.of(REPO.group("pairs"))).get("pairs"));
    }
  }

  /** A row of group activity for user u at window end e, writing the features in {@code writes}. */
  private static FeatureRow row(String u, long e, long count, String lastItem, int... writes) {
    Object[] values = CompiledGroup.of(REPO, ACTIVITY).emptyValues();
    values[0] = count;
    values[5] = lastItem;
    BitSet w = new BitSet();
    for (int f : writes) {
      w.set(f);
    }
    return new FeatureRow("activity", ACTIVITY.version(), List.of(u), e, values, false, w, false, 0);
  }

  private static void write(BigtableTarget t, List<FeatureRow> rows) {
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply("Rows", Create.of(rows).withCoder(FeatureRow.Coder.of()))
        .apply("WriteOnline", WriteOnline.batch(t, REPO).withGroups(List.of("activity")));
    p.run().waitUntilFinish();
  }

  @Test
  void writesAreIdempotentAndOrderProofAndRestatementsNeverHideNewerCells() throws Exception {
    List<FeatureRow> rows = List.of(
        row("ana", T0 + H, 1, "apple", 0, 5),
        row("ana", T0 + 2 * H, 2, "apple", 0),
        row("b#o", T0 + 2 * H, 5, "a#b", 0, 5),
        row("ana", T0 + 3 * H, 0, "pear", 0, 5));
    BigtableTarget once = prepared("once");
    write(once, rows);
    BigtableTarget twice = prepared("twice");
    List<FeatureRow> reversed = new ArrayList<>(rows);
    Collections.reverse(reversed);
    write(twice, reversed);
    write(twice, rows);
    Map<String, String> cells = StoreTesting.dump(once);
    assertEquals(cells, StoreTesting.dump(twice));
    long featureCells = cells.keySet().stream().filter(k -> !k.startsWith("_meta")).count();
    assertEquals(7, featureCells, "one cell per feature written: " + cells);

    // a late restatement of window end T0+H (every feature) after T0+3h was written; the other
    // store gets it before the rows are written once more: the same cells either way
    FeatureRow restated = row("ana", T0 + H, 9, "fig", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    write(once, List.of(restated));
    write(twice, List.of(restated, rows.get(3), rows.get(2)));
    assertEquals(StoreTesting.dump(once), StoreTesting.dump(twice));
    try (OnlineReader reader = OnlineReader.open(once, REPO)) {
      List<Map<String, Object>> ana = List.of(Map.of("user", "ana"));
      long tAfter3h = (T0 + 3 * H + 2 * 60_000L) * 1_000_000L; // e(t) = T0 + 3h (availability delay 2m)
      OnlineValues now = reader.readAsOf(ana, List.of("activity"), tAfter3h).get(0).get("activity");
      assertEquals(0L, now.values().get("n_1h"));
      assertEquals("pear", now.values().get("last_item"), "the restatement of an older window end hides nothing newer");
      OnlineValues then = reader.readAsOf(ana, List.of("activity"), tAfter3h - 2 * H * 1_000_000L).get(0).get("activity");
      assertEquals(T0 + H, then.windowEndMillis());
      assertEquals(9L, then.values().get("n_1h"));
      assertEquals("fig", then.values().get("last_item"));
    }
  }

  @Test
  void theReaderAppliesTheTimeRulesAndRefusesWhatItCannotAnswer() throws Exception {
    BigtableTarget t = prepared("reader");
    write(t, List.of(row("ana", T0 + H, 3, "apple", 0, 5), row("ana", T0 + 30 * H, 4, "kiwi", 0, 5)));
    try (OnlineReader reader = OnlineReader.open(t, REPO, Duration.ofDays(1))) {
      List<Map<String, Object>> keys = List.of(Map.of("user", "ana", "item", "x"), Map.of("user", "nobody", "item", "x"));
      long atM = (T0 + 30 * H + 3 * 60_000L) * 1_000_000L + 17; // full precision, e(t) = M
      List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of("activity"), atM);
      assertEquals(4L, read.get(0).get("activity").values().get("n_1h"));
      assertTrue(read.get(0).get("activity").fresh());
      assertEquals(java.util.Arrays.asList(CompiledGroup.of(REPO, ACTIVITY).emptyValues()), new ArrayList<>(read.get(1).get("activity").values().values()),
          "a key never written reads as empty values");
      // after M: the values as of M, not fresh
      OnlineValues later = reader.readAsOf(keys, List.of("activity"), atM + 5 * H * 1_000_000L).get(0).get("activity");
      assertEquals(T0 + 30 * H, later.windowEndMillis());
      assertFalse(later.fresh());
      // "now" (the wall clock) reads the latest window end written
      assertEquals(T0 + 30 * H, reader.read(keys, List.of("activity")).get(0).get("activity").windowEndMillis());
      // the cell at T0+1h is older than the longest window (6h) at T0+10h: the key is empty then, not 3
      assertEquals(0L, reader.readAsOf(keys, List.of("activity"), (T0 + 10 * H + 3 * 60_000L) * 1_000_000L)
          .get(0).get("activity").values().get("n_1h"));
      IllegalStateException old = assertThrows(IllegalStateException.class,
          () -> reader.readAsOf(keys, List.of("activity"), (T0 + 3 * H) * 1_000_000L));
      assertTrue(old.getMessage().contains("older than the online store keeps"), old.getMessage());
      IllegalStateException none = assertThrows(IllegalStateException.class,
          () -> reader.readAsOf(keys, List.of("activity", "pairs"), atM));
      assertTrue(none.getMessage().contains("no watermark for group 'pairs'"), none.getMessage());
      IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
          () -> reader.readAsOf(List.of(Map.of("item", "x")), List.of("activity"), atM));
      assertTrue(noKey.getMessage().contains("has no column 'user'"), noKey.getMessage());
    }
    assertNotEquals(List.of(), StoreTesting.dump(t).keySet());
  }

  @Test
  void aCellNewerThanTheWatermarkIsNeverReadAndAMovedWatermarkIsFollowed() throws Exception {
    BigtableTarget t = prepared("ahead");
    write(t, List.of(row("ana", T0 + 29 * H, 3, "apple", 0, 5), row("ana", T0 + 30 * H, 4, "kiwi", 0, 5)));
    // a stream writing window end T0+31h has written ana's count, not yet the watermark (still T0+30h)
    try (BigtableDataClient client = BigtableDataClient.create(t.dataSettings())) {
      client.mutateRow(RowMutation.create(TableId.of(t.table()), OnlineLayout.rowKey(REPO.entity("user"), List.of("ana")))
          .setCell(OnlineLayout.family(ACTIVITY), OnlineLayout.qualifier("n_1h"), OnlineLayout.cellTimestamp(T0 + 31 * H),
              CellValues.encode(99L, ACTIVITY.features().get(0).outputType())));
    }
    try (OnlineReader reader = OnlineReader.open(t, REPO)) {
      List<Map<String, Object>> ana = List.of(Map.of("user", "ana"));
      long at31 = (T0 + 31 * H + 3 * 60_000L) * 1_000_000L; // e(t) = T0+31h, M = T0+30h: e* = M
      OnlineValues v = reader.readAsOf(ana, List.of("activity"), at31).get(0).get("activity");
      assertEquals(T0 + 30 * H, v.windowEndMillis());
      assertFalse(v.fresh());
      assertEquals(4L, v.values().get("n_1h"), "the value as of the watermark, not the newer cell being written");
      assertEquals("kiwi", v.values().get("last_item"));
      // as of T0+30h the newer cell is out of range anyway
      OnlineValues atM = reader.readAsOf(ana, List.of("activity"), at31 - H * 1_000_000L).get(0).get("activity");
      assertEquals(4L, atM.values().get("n_1h"));
      assertTrue(atM.fresh());
      // the window end lands and M moves to T0+31h: this reader last saw M = T0+30h, so its rows read
      // (sent with the metadata read) was bounded there; the new M gives another e*, the rows are read again
      write(t, List.of(row("ana", T0 + 31 * H, 5, "plum", 0, 5)));
      OnlineValues moved = reader.readAsOf(ana, List.of("activity"), at31).get(0).get("activity");
      assertEquals(T0 + 31 * H, moved.windowEndMillis());
      assertTrue(moved.fresh());
      assertEquals(5L, moved.values().get("n_1h"), "the values of the new e*, not those of the M last seen");
      assertEquals("plum", moved.values().get("last_item"));
    }
  }
}
