package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import com.google.cloud.bigtable.data.v2.models.RowMutation;
import com.google.cloud.bigtable.data.v2.models.TableId;
import io.featurepipe.runners.serve.ServingStore;
import io.featurepipe.sinks.online.CellValues;
import io.featurepipe.sinks.online.OnlineLayout;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.ValueType;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.record.FeatureRow;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code featurepipe audit} against the store filled from a backfill of the sample ({@link
 * ServingStore}): nothing differs on the consistent store; one wrong cell planted in a copy is
 * found and named; a range with nothing final is not a pass.
 */
@ExtendWith(ServingStore.Resolver.class)
class AuditCommandIT {
  private static ServingStore store;

  @BeforeAll
  static void store(ServingStore s) {
    store = s;
  }

  private static CliRun audit(io.featurepipe.sinks.online.BigtableTarget table, String... args) {
    List<String> all = new ArrayList<>(List.of("audit", store.repositoryDir.toString(), "--offline-root", store.offlineRoot));
    all.addAll(Arrays.asList(args));
    all.addAll(Arrays.asList(store.storeArgs(table)));
    return CliRun.of(all.toArray(new String[0]));
  }

  @Test
  void findsNoMismatchOnTheConsistentStore() {
    CliRun run = audit(store.features, "--groups", "user_spend,merchant_risk", "--from", "2026-01-08", "--to", "2026-01-09",
        "--samples", "80", "--seed", "7");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    String out = run.out();
    assertTrue(out.contains("audit passed"), out);
    for (String g : ServingStore.GROUPS) {
      Matcher m = Pattern.compile("group " + g + " v\\w+: 80 samples compared \\((\\d+) at an offline row, (\\d+) empty\\), "
          + "window ends 2026-01-08T00:00:00Z\\.\\.2026-01-09T22:00:00Z, M 2026-01-09T23:00:00Z").matcher(out);
      assertTrue(m.find(), g + ":\n" + out);
      assertTrue(Integer.parseInt(m.group(1)) >= 40, "half the samples are at offline rows: " + out);
    }
    assertFalse(out.contains("MISMATCH"), out);
  }

  @Test
  void reportsAPlantedWrongCellNamingTheFeature() throws Exception {
    FeatureGroupDef risk = store.repository.group("merchant_risk");
    Instant e = Instant.parse("2026-01-09T10:00:00Z");
    FeatureRow row = store.offlineRows("merchant_risk", LocalDate.of(2026, 1, 9)).stream()
        .filter(r -> r.windowEndMillis() == e.toEpochMilli() && r.key().get(0).equals("m001")).findFirst().orElseThrow();
    long wrong = (Long) row.values()[0] + 1000;
    try (BigtableDataClient client = BigtableDataClient.create(store.audit.dataSettings())) {
      client.mutateRow(RowMutation.create(TableId.of(store.audit.table()),
              OnlineLayout.rowKey(store.repository.entity("merchant"), List.of("m001")))
          .setCell(OnlineLayout.family(risk), OnlineLayout.qualifier("txn_count_1d"), OnlineLayout.cellTimestamp(e.toEpochMilli()),
              CellValues.encode(wrong, ValueType.scalar(ColumnType.INT64))));
    }
    // enough samples that every offline row of the day is one: the planted cell is read
    CliRun run = audit(store.audit, "--groups", "merchant_risk", "--from", "2026-01-09", "--to", "2026-01-09", "--samples", "2000", "--seed", "3");
    assertEquals(1, run.exitCode(), run.out() + run.err());
    String out = run.out();
    assertTrue(out.matches("(?s).*MISMATCH merchant_risk\\.txn_count_1d: \\d+ of \\d+ samples differ.*"), out);
    assertTrue(out.contains("key {merchant_id=m001} as of 2026-01-09T10:"), out);
    assertTrue(out.contains("(window end 2026-01-09T10:00:00Z): online " + wrong + ", offline " + row.values()[0]), out);
    assertEquals(1, out.split("MISMATCH", -1).length - 1, "only the planted feature differs: " + out);
    assertTrue(out.contains("audit FAILED: "), out);
    // every group of the repository that is online and offline, by default: those never written fail
    CliRun all = audit(store.features, "--from", "2026-01-09", "--to", "2026-01-09", "--samples", "10");
    assertEquals(1, all.exitCode());
    assertTrue(all.out().contains("not audited: user_logins, user_merchant_affinity"), all.out());
    // the untouched table of the same data passes the same audit
    assertEquals(0, audit(store.features, "--groups", "merchant_risk", "--from", "2026-01-09", "--to", "2026-01-09",
        "--samples", "50", "--seed", "3").exitCode());
  }

  @Test
  void aRangeWithNothingFinalIsNotAPass() {
    CliRun run = audit(store.features, "--groups", "user_spend", "--from", "2026-01-10", "--to", "2026-01-10");
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("group user_spend v" + store.repository.group("user_spend").version()
        + ": not audited: no window end of 2026-01-10..2026-01-10 is both final"), run.out());
    assertTrue(run.out().contains("not audited: user_spend"), run.out());
    CliRun bad = audit(store.features, "--groups", "user_logins", "--from", "2026-01-09", "--to", "2026-01-09");
    assertEquals(1, bad.exitCode());
    assertTrue(bad.out().contains("nothing has been written online for it"), bad.out() + bad.err());
  }
}
