package io.featurepipe.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code featurepipe plan}: the example catalog, broken definitions, and what changed. */
class PlanCommandTest {
  private static final Path CATALOG = Path.of("..", "feature-defs", "payments");

  @Test
  void printsGroupsFeaturesWindowsAndVersionsOfTheExampleCatalog() {
    CliRun run = CliRun.of("plan", CATALOG.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("4 groups"), run.out());
    assertTrue(run.out().matches("(?s).*group user_spend  v[0-9a-f]{8}  entity user  source payments  hop 1h  ttl 7d.*"), run.out());
    assertTrue(run.out().matches("(?s).*  txn_count_1d +count +- +1d +int.*"), run.out());
    assertTrue(run.out().matches("(?s).*  last_amount_eur +last +amount_eur +7d \\(ttl\\) +double.*"), run.out());
  }

  @Test
  void failsWithEveryMistakeNamingFileLineAndField(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        kind: source
        name: s
        format: jsonl
        timestamp: ts
        timestamp_format: iso8601
        fields: [{name: ts, type: timestamp}, {name: v, type: string}]
        bounded: {path: x}
        ---
        kind: entity
        name: e
        keys: [{name: v, type: string}]
        ---
        kind: feature_group
        name: g
        entity: e
        source: s
        keys: {v: v}
        hop: 2h
        features:
          - {name: total, agg: sum, column: v, window: 4h}
          - {name: n, agg: count, window: 3h}
        """);
    CliRun run = CliRun.of("plan", dir.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("bad.yaml:20:"), run.err());
    assertTrue(run.err().contains("sum needs a numeric column"), run.err());
    assertTrue(run.err().contains("bad.yaml:21:"), run.err());
    assertTrue(run.err().contains("window 3h is not a multiple of the hop 2h"), run.err());
    assertTrue(run.out().isEmpty(), run.out());
  }

  @Test
  void saysWhichGroupsGotANewVersion(@TempDir Path dir) throws Exception {
    Path repo = dir.resolve("repo");
    Files.createDirectories(repo);
    for (Path f : Files.list(CATALOG).filter(p -> p.toString().endsWith(".yaml")).toList()) {
      Files.copy(f, repo.resolve(f.getFileName()));
    }
    CliRun before = CliRun.of("plan", repo.toString(), "--json");
    assertEquals(0, before.exitCode(), before.err());
    Path plan = dir.resolve("plan.json");
    Files.writeString(plan, before.out());
    Path spend = repo.resolve("user_spend.yaml");
    Files.writeString(spend, Files.readString(spend).replace("window: 7d", "window: 6d"));
    CliRun after = CliRun.of("plan", repo.toString(), "--previous", plan.toString());
    assertEquals(0, after.exitCode(), after.err());
    assertTrue(after.out().contains("~ group user_spend: v"), after.out());
    assertTrue(after.out().contains("~ txn_count_7d: count 7d -> count 6d"), after.out());
    assertTrue(!after.out().contains("group merchant_risk:"), after.out());
  }

  @Test
  void unknownCommandsAndMissingFoldersAreUsageErrors() {
    assertEquals(2, CliRun.of("plann").exitCode());
    CliRun run = CliRun.of("plan", "/no/such/folder");
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("is not a directory"), run.err());
  }
}
