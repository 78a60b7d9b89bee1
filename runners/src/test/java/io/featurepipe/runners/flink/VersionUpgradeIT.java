package io.featurepipe.runners.flink;

import static io.featurepipe.runners.flink.Clicks.EVENTS;
import static io.featurepipe.runners.flink.Clicks.GROUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.pipelines.stream.StreamFeatures;
import io.featurepipe.pipelines.stream.StreamInputs;
import io.featurepipe.pipelines.stream.StreamStart;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.EmbeddedBigtable;
import io.featurepipe.sinks.online.OnlineReader;
import io.featurepipe.sinks.online.OnlineValues;
import io.featurepipe.sinks.online.PrepareOnlineStore;
import io.featurepipe.sinks.online.RetireOnlineVersion;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading a feature group to a new version (docs/flink.md): a changed definition is a new version,
 * written to its own column family beside the old one; readers with the old definitions read the old
 * family, readers with the new ones the new family; retiring the old version drops its family and
 * metadata row and leaves the new version's cells and reads as they were. The writers are streams of
 * the {@link Clicks} input on the DirectRunner (bounded replays); the store is the emulator.
 */
class VersionUpgradeIT {
  @TempDir Path dir;

  @Test
  void twoVersionsSideBySideThenTheOldOneRetires() throws Exception {
    FeatureRepository v1 = Clicks.repository(dir.resolve("v1"), null);
    FeatureRepository v2 = Clicks.repository(dir.resolve("v2"),
        "{name: max_amount_1h, description: The largest amount in the last hour., agg: max, column: amount, window: 1h}");
    String old = v1.group(GROUP).version();
    String current = v2.group(GROUP).version();
    assertNotEquals(old, current, "a changed definition is a new version");
    Clicks.drop(dir.resolve("data/incoming"), "part-1.csv", 0, EVENTS);

    try (EmbeddedBigtable bigtable = EmbeddedBigtable.start()) {
      BigtableTarget target = Clicks.table(bigtable, v1, "features");
      replay(v1, target);
      PrepareOnlineStore.of(target, v2).prepare(); // adds the new family beside the old one
      replay(v2, target);

      long t = Clicks.T0.plusSeconds(3 * 3600 + 5 * 60).toEpochMilli() * 1_000_000L; // e(t) = T0 + 3h
      List<Map<String, OnlineValues>> oldReads = read(target, v1, t);
      List<Map<String, OnlineValues>> newReads = read(target, v2, t);
      int nonEmpty = 0;
      for (int u = 0; u < 8; u++) {
        OnlineValues o = oldReads.get(u).get(GROUP);
        OnlineValues n = newReads.get(u).get(GROUP);
        assertEquals(old, o.version());
        assertEquals(current, n.version());
        assertTrue(o.fresh() && n.fresh(), "both versions written through e(t)");
        assertEquals(List.of("clicks_30m", "amount_1h", "last_amount"), new ArrayList<>(o.values().keySet()));
        assertEquals(List.of("clicks_30m", "amount_1h", "last_amount", "max_amount_1h"), new ArrayList<>(n.values().keySet()));
        Map<String, Object> shared = new TreeMap<>(n.values());
        shared.remove("max_amount_1h");
        assertEquals(new TreeMap<>(o.values()), shared, "the unchanged features read the same from both versions");
        nonEmpty += n.values().get("max_amount_1h") == null ? 0 : 1;
      }
      assertTrue(nonEmpty > 0, "the new feature has values");

      RetireOnlineVersion retire = RetireOnlineVersion.of(target, v2);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> retire.retire(GROUP, current));
      assertTrue(refused.getMessage().contains("current definitions"), refused.getMessage());

      Map<String, String> before = Clicks.dump(target);
      String oldFamily = "| " + GROUP + ".v" + old + ":";
      String oldMeta = "_meta#" + GROUP + ".v" + old + " |";
      Map<String, String> expected = new TreeMap<>(before);
      expected.keySet().removeIf(k -> k.contains(oldFamily) || k.startsWith(oldMeta));
      assertTrue(before.size() - expected.size() > 300, "the old version's cells: " + (before.size() - expected.size()));

      assertTrue(retire.retire(GROUP, old));
      assertEquals(expected, Clicks.dump(target), "only the old version's cells and metadata are gone");
      assertEquals(newReads, read(target, v2, t), "the new version reads as before");
      assertEquals(List.of(), PrepareOnlineStore.of(target, v2).check());
      assertEquals(List.of("missing family '" + GROUP + ".v" + old + "'"), PrepareOnlineStore.of(target, v1).check());
      assertFalse(retire.retire(GROUP, old), "retiring twice changes nothing");
    }
  }

  /** A bounded replay of every click by the stream of {@code repo}'s version into {@code target}. */
  private void replay(FeatureRepository repo, BigtableTarget target) {
    DirectOptions options = PipelineOptionsFactory.as(DirectOptions.class);
    options.setRunner(DirectRunner.class);
    Pipeline p = Pipeline.create(options);
    StreamFeatures.build(p,
        StreamFeatures.Spec.of(repo, target, StreamStart.of(Clicks.T0), dir.resolve("dead-letters").toString())
            .withInputs(StreamInputs.defaults().withDataRoot(dir.resolve("data").toString()).withMaxRecords("clicks", EVENTS)));
    p.run().waitUntilFinish();
  }

  private static List<Map<String, OnlineValues>> read(BigtableTarget target, FeatureRepository repo, long tNanos)
      throws Exception {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (int u = 0; u < 8; u++) {
      keys.add(Map.of("user_id", "u" + u));
    }
    try (OnlineReader reader = OnlineReader.open(target, repo)) {
      return reader.readAsOf(keys, List.of(GROUP), tNanos);
    }
  }
}
