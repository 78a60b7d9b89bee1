package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.pipelines.ingest.kafka.EmbeddedKafka;
import io.featurepipe.pipelines.ingest.kafka.ProduceLines;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.compute.CompiledGroup;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import io.featurepipe.transforms.time.TimeRules;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featurepipe backfill}, {@code materialize} and {@code stream} on the command line, against
 * an in-process broker and emulator: the days before 2026-01-14 materialized from a backfill, the
 * 14th replayed from Kafka bootstrapped from the files (a bounded replay with {@code
 * --max-records}); the online reads of the sample's users equal the offline values; and the
 * mistakes a user can make are refused with a message.
 */
class StreamCommandsIT {
  static final String DEFS = Path.of("../feature-defs/payments").toString();
  static final String DATA = Path.of("../test-data/sample").toAbsolutePath().normalize().toString();

  @Test
  void backfillMaterializeAndStreamFillTheStoreAsTheOfflineValues(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of(DEFS));
    String offline = dir.resolve("offline").toString();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      kafka.createTopic("logins", 2);
      long produced;
      try (ProduceLines out = ProduceLines.to(kafka.bootstrapServers(), "logins")) {
        produced = out.sourceFiles(repo.source("logins"), DATA, LocalDate.of(2026, 1, 14), LocalDate.of(2026, 1, 14));
      }
      String table = "p/i/features";
      String emulator = bigtable.hostPort();

      CliRun backfill = CliRun.of("backfill", DEFS, "--groups=user_logins", "--from=2026-01-08", "--to=2026-01-14",
          "--data-root=" + DATA, "--offline-root=" + offline, "--run-id=cli");
      assertEquals(0, backfill.exitCode(), backfill.err());

      CliRun materialize = CliRun.of("materialize", DEFS, "--groups=user_logins", "--from=2026-01-08", "--to=2026-01-13",
          "--offline-root=" + offline, "--bigtable=" + table, "--bigtable-emulator=" + emulator, "--online-retention=30d");
      assertEquals(0, materialize.exitCode(), materialize.err());
      assertTrue(materialize.out().contains("watermark none -> 2026-01-13T23:00:00Z"), materialize.out());

      CliRun stream = CliRun.of("stream", DEFS, "--groups=user_logins", "--since=2026-01-14", "--bootstrap-from-files",
          "--data-root=" + DATA, "--kafka-bootstrap=" + kafka.bootstrapServers(), "--start=earliest",
          "--max-records=logins=" + produced, "--dead-letters=" + dir.resolve("dead"), "--alerts=" + dir.resolve("alerts"),
          "--stats-window=1d", "--bigtable=" + table, "--bigtable-emulator=" + emulator, "--online-retention=30d");
      assertEquals(0, stream.exitCode(), stream.err());
      assertTrue(stream.out().contains(
          "reads every event since 2026-01-06T23:00:00Z, writes window ends from 2026-01-14T00:00:00Z"), stream.out());
      assertTrue(stream.out().contains("records read"), stream.out());

      BigtableTarget target = BigtableTarget.parse(table).withEmulator(emulator);
      FeatureGroupDef logins = repo.group("user_logins");
      try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
        StoreMetadata.GroupState state = StoreMetadata.read(client, target.table(), List.of(logins)).get("user_logins");
        assertEquals(Instant.parse("2026-01-06T23:00:00Z").toEpochMilli(), state.streamStartMillis());
        assertTrue(state.watermarkMillis() >= Instant.parse("2026-01-21T00:00:00Z").toEpochMilli(), state.toString());
      }
      assertEquals("", compare(repo, logins, target, offline));
    }
  }

  /** Reads every user as of the hours of the 8th to the 14th; returns the differences from the offline rows. */
  static String compare(FeatureRepository repo, FeatureGroupDef g, BigtableTarget target, String offline) throws Exception {
    Map<String, Object[]> rows = new HashMap<>();
    List<Map<String, Object>> keys = new ArrayList<>();
    OfflineStore store = new OfflineStore(repo, offline);
    for (LocalDate d = LocalDate.of(2026, 1, 8); !d.isAfter(LocalDate.of(2026, 1, 14)); d = d.plusDays(1)) {
      for (FeatureRow r : store.rows(g.name(), d)) {
        rows.put(r.key().get(0) + "@" + r.windowEndMillis(), r.values());
        if (keys.stream().noneMatch(k -> k.get("user_id").equals(r.key().get(0)))) {
          keys.add(Map.of("user_id", r.key().get(0)));
        }
      }
    }
    StringBuilder diff = new StringBuilder();
    Object[] empty = CompiledGroup.of(repo, g).emptyValues();
    try (OnlineReader reader = OnlineReader.open(target, repo, Duration.ofDays(30))) {
      for (long t = Instant.parse("2026-01-08T00:02:00Z").toEpochMilli(); t < Instant.parse("2026-01-15T00:00:00Z").toEpochMilli();
          t += 7 * 3_600_000L + 60_000L) {
        long tNanos = t * 1_000_000L;
        long e = TimeRules.windowEndAsOf(tNanos, g.availabilityDelay(), TimeRules.millis(g.hop()));
        List<Map<String, OnlineValues>> read = reader.readAsOf(keys, List.of(g.name()), tNanos);
        for (int k = 0; k < keys.size(); k++) {
          OnlineValues v = read.get(k).get(g.name());
          Object[] want = rows.getOrDefault(keys.get(k).get("user_id") + "@" + e, empty);
          if (!v.fresh() || !Arrays.deepEquals(want, v.values().values().toArray())) {
            diff.append(keys.get(k)).append(" at ").append(Instant.ofEpochMilli(e)).append(": ")
                .append(Arrays.deepToString(want)).append(" vs ").append(v).append('\n');
          }
        }
      }
    }
    return diff.toString();
  }

  @Test
  void mistakesAreRefusedWithAMessage() {
    CliRun noStore = CliRun.of("materialize", DEFS, "--from=2026-01-08", "--to=2026-01-09", "--offline-root=x");
    assertEquals(2, noStore.exitCode(), noStore.out() + noStore.err());
    assertTrue(noStore.err().contains("--bigtable"), noStore.err());
    CliRun bootstrapAlone = CliRun.of("stream", DEFS, "--bootstrap-from-files", "--bigtable-emulator=localhost:1");
    assertEquals(2, bootstrapAlone.exitCode(), bootstrapAlone.err());
    assertTrue(bootstrapAlone.err().contains("--bootstrap-from-files needs --since"), bootstrapAlone.err());
    CliRun badSince = CliRun.of("stream", DEFS, "--since=yesterday", "--bigtable-emulator=localhost:1");
    assertEquals(1, badSince.exitCode(), badSince.err());
    assertTrue(badSince.err().contains("--since 'yesterday' is neither an ISO-8601 instant"), badSince.err());
    CliRun badWindow = CliRun.of("stream", DEFS, "--stats-window=often", "--bigtable-emulator=localhost:1");
    assertEquals(2, badWindow.exitCode(), badWindow.err());
    assertTrue(badWindow.err().contains("'often' is not a duration"), badWindow.err());
  }
}
