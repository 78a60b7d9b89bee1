package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.pipelines.validate.BadBatch;
import io.featurepipe.pipelines.validate.GateRecord;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality gate inside {@code featurepipe backfill}, on the command line against an in-process
 * Bigtable emulator: a clean day of the sample passes and is published offline and online; the
 * same day corrupted ({@link BadBatch}) is blocked — exit 3, no partition of the run published, the
 * earlier publication and its files intact, the reasons naming {@code amount}, {@code
 * merchant_category} and (drift against the clean run) {@code currency}, nothing written online —
 * and with {@code --gate=warn} it is published.
 */
class BackfillGateIT {
  static final Path DEFS = Path.of("../feature-defs/payments");
  static final Path SAMPLE = Path.of("../test-data/sample").toAbsolutePath().normalize();
  static final LocalDate DAY = LocalDate.of(2026, 1, 13);
  static final List<String> GROUPS = List.of("user_spend", "merchant_risk");

  @Test
  void aCorruptedDayIsBlockedOfflineAndOnlineAndPublishedWithGateWarn(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    Path bad = dir.resolve("bad");
    BadBatch.write(SAMPLE, bad, List.of(DAY));
    String offline = dir.resolve("offline").toString();
    OfflineStore store = new OfflineStore(repo, offline);
    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      CliRun clean = backfill(SAMPLE, offline, "clean", "--bigtable=p/i/clean", "--bigtable-emulator=" + bigtable.hostPort());
      assertEquals(0, clean.exitCode(), clean.out() + clean.err());
      assertTrue(clean.out().contains("gate (block): PASS"), clean.out());
      assertTrue(watermark(bigtable, "p/i/clean") != null, "the clean run went online");
      Publication before = store.publication("user_spend", DAY);
      assertEquals("clean", before.runId());
      List<Path> cleanFiles = dataFiles(Path.of(offline), repo, "user_spend");

      String baseline = offline + "/_validation/run-clean";
      CliRun blocked = backfill(bad, offline, "bad", "--baseline=" + baseline,
          "--bigtable=p/i/blocked", "--bigtable-emulator=" + bigtable.hostPort());
      assertEquals(BackfillCommand.BLOCKED, blocked.exitCode(), blocked.out() + blocked.err());
      assertTrue(blocked.out().contains("gate (block): BLOCK"), blocked.out());
      assertTrue(blocked.out().contains("blocked by the quality gate: no partition published"), blocked.out());
      assertTrue(blocked.out().contains("online store: nothing written"), blocked.out());
      GateRecord gate = GateRecord.read(offline + "/_validation/run-bad");
      assertNotNull(gate);
      assertTrue(gate.blocks());
      assertEquals(baseline, gate.baseline());
      assertHasError(gate, "user_spend/input / amount: FLOAT_TYPE_BIG_FLOAT");
      assertHasError(gate, "merchant_risk/input / merchant_category: FEATURE_TYPE_LOW_FRACTION_PRESENT");
      assertHasError(gate, "user_spend/input / currency: COMPARATOR_L_INFTY_HIGH");
      assertFalse(gate.errors().stream().anyMatch(e -> e.contains("/features /")), "the features are computed from checked records: " + gate.errors());
      assertEquals(before, store.publication("user_spend", DAY));
      assertEquals("clean", store.publication("merchant_risk", DAY).runId());
      assertEquals(cleanFiles, dataFiles(Path.of(offline), repo, "user_spend"), "the blocked run left no file");
      assertNull(watermark(bigtable, "p/i/blocked"), "nothing written online");
      assertTrue(Files.exists(Path.of(offline, "_validation", "run-bad", "report.html")));

      CliRun warned = backfill(bad, offline, "warn", "--baseline=" + baseline, "--gate=warn");
      assertEquals(0, warned.exitCode(), warned.out() + warned.err());
      assertTrue(warned.out().contains("gate (warn): WARN"), warned.out());
      assertTrue(warned.out().contains("these ERROR anomalies do not block"), warned.out());
      for (String g : GROUPS) {
        assertEquals("warn", store.publication(g, DAY).runId(), g);
      }
    }
  }

  static CliRun backfill(Path data, String offline, String runId, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "backfill", DEFS.toString(), "--groups=" + String.join(",", GROUPS), "--from=" + DAY, "--to=" + DAY,
        "--data-root=" + data, "--offline-root=" + offline, "--run-id=" + runId, "--online-retention=30d"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  static void assertHasError(GateRecord gate, String prefix) {
    assertTrue(gate.errors().stream().anyMatch(e -> e.startsWith(prefix)), prefix + " in " + gate.errors());
  }

  static Instant watermark(EmbeddedBigtable bigtable, String table) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(DEFS);
    BigtableTarget target = BigtableTarget.parse(table).withEmulator(bigtable.hostPort());
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      Long m = StoreMetadata.read(client, target.table(), List.of(repo.group("user_spend"))).get("user_spend").watermarkMillis();
      return m == null ? null : Instant.ofEpochMilli(m);
    }
  }

  static List<Path> dataFiles(Path offline, FeatureRepository repo, String group) throws Exception {
    try (Stream<Path> s = Files.list(offline.resolve(OfflineLayout.partition(repo.group(group), DAY)))) {
      return s.sorted().toList();
    }
  }
}
