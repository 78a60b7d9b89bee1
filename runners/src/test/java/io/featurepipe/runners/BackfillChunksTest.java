package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backfill --chunk-days}: an interrupted backfill (two of four days published) rerun with
 * chunks runs only the missing days, each chunk as its own run; {@code --force} reruns every day.
 */
class BackfillChunksTest {
  static final String DEFS =
      """
      kind: source
      name: taps
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields:
        - {name: ts, type: timestamp, required: true}
        - {name: user, type: string, required: true}
      bounded: {path: "taps/{date}*.jsonl"}
      ---
      kind: entity
      name: user
      keys: [{name: user, type: string}]
      ---
      kind: feature_group
      name: taps_per_user
      entity: user
      source: taps
      keys: {user: user}
      hop: 1d
      ttl: 1d
      features:
        - {name: taps_1d, agg: count, window: 1d}
      """;

  @Test
  void aRerunWithChunksRunsOnlyTheDaysNotPublished(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("defs.yaml"), DEFS);
    Files.createDirectories(dir.resolve("data/taps"));
    for (int d = 1; d <= 4; d++) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < d; i++) {
        lines.append("{\"ts\":\"2026-02-0").append(d).append("T1").append(i).append(":00:00Z\",\"user\":\"u\"}\n");
      }
      Files.writeString(dir.resolve("data/taps/2026-02-0" + d + ".jsonl"), lines);
    }
    String offline = dir.resolve("offline").toString();
    String[] common = {"backfill", dir.toString(), "--data-root", dir.resolve("data").toString(), "--offline-root", offline, "--no-validation"};

    CliRun first = CliRun.of(concat(common, "--from", "2026-02-01", "--to", "2026-02-02", "--run-id", "first"));
    assertEquals(0, first.exitCode(), first.err() + first.out());

    CliRun resumed = CliRun.of(concat(common, "--from", "2026-02-01", "--to", "2026-02-04", "--chunk-days", "1", "--run-id", "resumed"));
    assertEquals(0, resumed.exitCode(), resumed.err() + resumed.out());
    String out = resumed.out();
    assertTrue(out.contains("backfill plan: 2 chunk(s) of at most 1 day(s), 2 day(s) already published skipped"), out);
    assertTrue(out.contains("== chunk 1 of 2: 2026-02-03..2026-02-03"), out);
    assertTrue(out.contains("== chunk 2 of 2: 2026-02-04..2026-02-04"), out);

    FeatureRepository repo = RepositoryLoader.load(dir);
    OfflineStore store = new OfflineStore(repo, offline);
    assertEquals("first", store.publication("taps_per_user", LocalDate.parse("2026-02-02")).runId());
    assertEquals("resumed-2026-02-03", store.publication("taps_per_user", LocalDate.parse("2026-02-03")).runId());
    assertEquals("resumed-2026-02-04", store.publication("taps_per_user", LocalDate.parse("2026-02-04")).runId());
    // the day's row counts the day's taps: window [d, d+1) ends on d+1, whose UTC date is d+1
    assertEquals(3L, store.rows("taps_per_user", LocalDate.parse("2026-02-04")).get(0).values()[0]);

    CliRun forced = CliRun.of(concat(common, "--from", "2026-02-01", "--to", "2026-02-04", "--chunk-days", "3", "--force", "--run-id", "forced"));
    assertEquals(0, forced.exitCode(), forced.err() + forced.out());
    assertTrue(forced.out().contains("backfill plan: 2 chunk(s) of at most 3 day(s)\n"), forced.out());
    assertEquals("forced-2026-02-01", store.publication("taps_per_user", LocalDate.parse("2026-02-02")).runId());
    assertEquals("forced-2026-02-04", store.publication("taps_per_user", LocalDate.parse("2026-02-04")).runId());

    CliRun refused = CliRun.of(concat(common, "--from", "2026-02-01", "--to", "2026-02-01", "--force"));
    assertFalse(refused.exitCode() == 0, refused.out());
    assertTrue(refused.err().contains("--force goes with --chunk-days"), refused.err());
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
