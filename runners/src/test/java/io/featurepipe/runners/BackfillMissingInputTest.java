package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backfill} over a range with a day that has no input file: an error naming the source, the
 * day and the path before anything runs (one run or chunks: nothing is published), unless
 * {@code --allow-missing-input}, which warns and publishes the day as if it had no events.
 */
class BackfillMissingInputTest {

  @Test
  void aDayWithoutInputIsAnErrorUnlessAllowed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("defs.yaml"), BackfillChunksTest.DEFS);
    Files.createDirectories(dir.resolve("data/taps"));
    for (int d : new int[] {1, 2, 4}) {
      Files.writeString(dir.resolve("data/taps/2026-02-0" + d + ".jsonl"), "{\"ts\":\"2026-02-0" + d + "T10:00:00Z\",\"user\":\"u\"}\n");
    }
    Path offline = dir.resolve("offline");
    String[] common = {"backfill", dir.toString(), "--data-root", dir.resolve("data").toString(),
        "--offline-root", offline.toString(), "--no-validation", "--from", "2026-02-01", "--to", "2026-02-04"};

    for (String[] run : new String[][] {common, BackfillChunksTest.concat(common, "--chunk-days", "1")}) {
      CliRun refused = CliRun.of(run);
      assertEquals(1, refused.exitCode(), refused.err() + refused.out());
      String err = refused.err();
      assertTrue(err.contains("error: no file for source taps on 2026-02-03: "), err);
      assertTrue(err.contains("taps/2026-02-03*.jsonl"), err);
      assertFalse(err.contains("2026-02-04:"), err);
      assertTrue(err.contains("nothing was run or published"), err);
      assertFalse(Files.exists(offline), "nothing published");
    }

    CliRun allowed = CliRun.of(BackfillChunksTest.concat(common, "--allow-missing-input"));
    assertEquals(0, allowed.exitCode(), allowed.err() + allowed.out());
    assertTrue(allowed.out().contains("warning: no file for source taps on 2026-02-03"), allowed.out());
    OfflineStore store = new OfflineStore(RepositoryLoader.load(dir), offline.toString());
    assertNotNull(store.publication("taps_per_user", LocalDate.parse("2026-02-03")));
  }
}
