package io.featurepipe.pipelines.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.featurepipe.pipelines.backfill.BackfillPlan.Chunk;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunks of resumable backfills: skipped published days, merged gaps, the chunk size, force. */
class BackfillPlanTest {
  static final LocalDate JAN1 = LocalDate.of(2026, 1, 1);

  static LocalDate jan(int d) {
    return JAN1.withDayOfMonth(d);
  }

  /** A store where each group has published the given days of January. */
  static BackfillPlan.Publications published(Set<String> groupDays) {
    return (g, d) -> groupDays.contains(g + "/" + d.getDayOfMonth());
  }

  @Test
  void nothingPublishedSplitsTheRangeIntoChunksOfAtMostTheSize() throws Exception {
    BackfillPlan plan = BackfillPlan.of(jan(1), jan(10), List.of("a"), published(Set.of())).withChunkDays(4);
    assertEquals(
        List.of(new Chunk(jan(1), jan(4)), new Chunk(jan(5), jan(8)), new Chunk(jan(9), jan(10))),
        plan.chunks());
    assertEquals(List.of(new Chunk(jan(1), jan(10))),
        BackfillPlan.of(jan(1), jan(10), List.of("a"), published(Set.of())).chunks(), "default: one chunk");
  }

  @Test
  void daysPublishedForEveryGroupAreSkippedAndTheGapsMerged() throws Exception {
    Set<String> done = new HashSet<>();
    for (int d : new int[] {1, 2, 5, 6, 7}) {
      done.add("a/" + d);
      done.add("b/" + d);
    }
    done.add("a/9"); // published for a only: still to do
    BackfillPlan plan = BackfillPlan.of(jan(1), jan(12), List.of("a", "b"), published(done)).withChunkDays(3);
    assertEquals(List.of(jan(1), jan(2), jan(5), jan(6), jan(7)), plan.doneDays());
    assertEquals(
        List.of(new Chunk(jan(3), jan(4)), new Chunk(jan(8), jan(10)), new Chunk(jan(11), jan(12))),
        plan.chunks());
    assertEquals(
        List.of(new Chunk(jan(1), jan(3)), new Chunk(jan(4), jan(6)), new Chunk(jan(7), jan(9)),
            new Chunk(jan(10), jan(12))),
        plan.withForce(true).chunks(), "forced: every day, published or not");
  }

  @Test
  void everythingPublishedLeavesNothingAndNoOfflineGroupLeavesEverything() throws Exception {
    Set<String> all = new HashSet<>();
    for (int d = 1; d <= 3; d++) {
      all.add("a/" + d);
    }
    assertEquals(List.of(), BackfillPlan.of(jan(1), jan(3), List.of("a"), published(all)).chunks());
    assertEquals(List.of(new Chunk(jan(1), jan(3))),
        BackfillPlan.of(jan(1), jan(3), List.of(), published(all)).chunks());
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    assertThrows(IllegalArgumentException.class,
        () -> BackfillPlan.of(jan(3), jan(1), List.of("a"), published(Set.of())));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BackfillPlan.of(jan(1), jan(3), List.of("a"), published(Set.of())).withChunkDays(0));
    assertEquals("--chunk-days must be at least 1, not 0", e.getMessage());
  }

  @Test
  void readsThePublishedFilesOfTheOfflineStoreForTheCurrentVersions(@TempDir Path dir) throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Path.of("../feature-defs/payments"));
    String root = dir.toString();
    OfflineLayout layout = new OfflineLayout(root);
    for (String g : List.of("user_spend", "merchant_risk")) {
      var def = repo.group(g);
      for (LocalDate d : List.of(jan(2), jan(3))) {
        if (g.equals("merchant_risk") && d.equals(jan(3))) {
          continue; // merchant_risk is missing Jan 3
        }
        new Publication(g, def.version(), d.toString(), "r1", List.of(), 0, "2026-01-20T00:00:00Z")
            .write(layout.folder(OfflineLayout.partition(def, d)));
      }
    }
    // a publication of another version does not count
    new Publication("user_spend", "00000000", "2026-01-04", "r0", List.of(), 0, "2026-01-20T00:00:00Z")
        .write(layout.folder(OfflineLayout.partition("user_spend", "00000000", jan(4))));
    BackfillPlan plan =
        BackfillPlan.of(repo, jan(1), jan(5), List.of("user_spend", "merchant_risk"), root).withChunkDays(2);
    assertEquals(List.of(jan(2)), plan.doneDays());
    assertEquals(List.of(new Chunk(jan(1), jan(1)), new Chunk(jan(3), jan(4)), new Chunk(jan(5), jan(5))),
        plan.chunks());
    assertEquals(List.of(jan(2), jan(3)),
        BackfillPlan.of(repo, jan(1), jan(5), List.of("user_spend"), root).doneDays());
    assertThrows(IllegalArgumentException.class,
        () -> BackfillPlan.of(repo, jan(1), jan(5), List.of("no_such_group"), root));
  }
}
