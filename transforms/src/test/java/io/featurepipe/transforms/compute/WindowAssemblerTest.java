package io.featurepipe.transforms.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which window ends are due, explicit empties, online writes and releasing state, without Beam. */
class WindowAssemblerTest {
  private static final long H = 3_600_000L;

  private static final String YAML =
      """
      kind: source
      name: s
      format: jsonl
      timestamp: ts
      timestamp_format: iso8601
      fields: [{name: ts, type: timestamp}, {name: k, type: string}, {name: x, type: double}]
      bounded: {path: "x"}
      allowed_lateness: 1h
      ---
      kind: entity
      name: e
      keys: [{name: k, type: string}]
      ---
      kind: feature_group
      name: g
      entity: e
      source: s
      keys: {k: k}
      hop: 1h
      features:
        - {name: n_1h, agg: count, window: 1h}
        - {name: sum_3h, agg: sum, column: x, window: 3h}
      """;

  private final Map<Long, Tile> store = new HashMap<>();
  private final WindowAssembler.Tiles tiles =
      new WindowAssembler.Tiles() {
        @Override
        public Tile get(long hopStart) {
          return store.get(hopStart);
        }

        @Override
        public void put(Tile tile) {
          store.put(tile.hopStartMillis(), tile);
        }

        @Override
        public void remove(long hopStart) {
          store.remove(hopStart);
        }
      };

  private CompiledGroup group() throws Exception {
    FeatureRepository repo = RepositoryLoader.load(Map.of("d.yaml", YAML));
    return CompiledGroup.of(repo, repo.group("g"));
  }

  private void addTile(CompiledGroup g, AssemblyState s, long hop, double... xs) {
    Tile t = new Tile(hop * H, g.newSlots());
    for (double x : xs) {
      g.add(t.slots(), new TileInput(hop * H * 1_000_000L, new Object[] {x}));
    }
    tiles.put(t);
    s.tileStarts.add(hop * H);
  }

  /** Emits every due row in order, as the timer chain of a stream would. */
  private List<FeatureRow> drain(WindowAssembler a, AssemblyState s) {
    List<FeatureRow> rows = new ArrayList<>();
    WindowAssembler.Cursor cursor = a.cursor(s, tiles);
    for (long e = a.nextDue(s); e != AssemblyState.NONE; e = a.nextDue(s)) {
      rows.add(a.row(new GroupKey("g", List.of("k")), s, cursor, e, false));
      s.emittedThrough = e;
    }
    return rows;
  }

  @Test
  void rowsWhileAWindowHoldsDataThenOneExplicitEmptyAfterEachGap() throws Exception {
    CompiledGroup g = group();
    WindowAssembler a = new WindowAssembler(g);
    AssemblyState s = new AssemblyState();
    addTile(g, s, 0, 1.0, 2.0);
    addTile(g, s, 10, 5.0);
    List<FeatureRow> rows = drain(a, s);
    List<Long> ends = new ArrayList<>();
    rows.forEach(r -> ends.add(r.windowEndMillis() / H));
    // tile 0 feeds window ends 1..3, explicit empty at 4; tile 10 feeds 11..13, empty at 14
    assertEquals(List.of(1L, 2L, 3L, 4L, 11L, 12L, 13L, 14L), ends);
    assertFalse(rows.get(0).empty());
    assertTrue(rows.get(3).empty());
    assertEquals(List.of(2L, 3.0), List.of(rows.get(0).values()));
    assertEquals(List.of(0L, 3.0), List.of(rows.get(1).values()));
    assertEquals(List.of(0L, 0.0), List.of(rows.get(3).values()));
  }

  /**
   * A stream builds a fresh cursor at every window end (each takes only the tiles its windows
   * reach); a backfill walks one cursor over all of them: the values agree at every end.
   */
  @Test
  void aFreshCursorPerWindowEndGivesTheValuesOfOneCursorOverAll() throws Exception {
    CompiledGroup g = group();
    WindowAssembler a = new WindowAssembler(g);
    AssemblyState s = new AssemblyState();
    java.util.Random random = new java.util.Random(7);
    for (long hop = 0; hop < 60; hop++) {
      if (random.nextInt(3) > 0) {
        addTile(g, s, hop, random.nextInt(100) / 4.0, random.nextInt(100) / 8.0);
      }
    }
    WindowAssembler.Cursor walking = a.cursor(s, tiles);
    int compared = 0;
    for (long e = H; e <= 64 * H; e += H) {
      Object[] fresh = a.cursor(s, tiles).valuesAt(e);
      assertEquals(List.of(walking.valuesAt(e)), List.of(fresh), "window end " + e / H);
      compared++;
    }
    assertEquals(64, compared);
  }

  @Test
  void onlineWritesOnlyWhatChanged() throws Exception {
    CompiledGroup g = group();
    WindowAssembler a = new WindowAssembler(g);
    AssemblyState s = new AssemblyState();
    addTile(g, s, 0, 1.0);
    List<FeatureRow> rows = drain(a, s);
    assertEquals("{0, 1}", rows.get(0).onlineWrites().toString()); // both became non-empty
    assertEquals("{0}", rows.get(1).onlineWrites().toString()); // n_1h emptied, sum unchanged
    assertEquals("{}", rows.get(2).onlineWrites().toString());
    assertEquals("{1}", rows.get(3).onlineWrites().toString()); // the explicit empty of the sum
  }

  @Test
  void releasesTilesOnlyPastWindowAndLateness() throws Exception {
    CompiledGroup g = group();
    WindowAssembler a = new WindowAssembler(g);
    AssemblyState s = new AssemblyState();
    addTile(g, s, 0, 1.0);
    addTile(g, s, 5, 1.0);
    // longest window 3h, lateness 1h, slack 2 hops: tile 0 is kept through window end 6h
    a.evict(s, tiles, 6 * H);
    assertTrue(s.tileStarts.contains(0L));
    assertTrue(a.canApply(s, 0));
    a.evict(s, tiles, 7 * H);
    assertFalse(s.tileStarts.contains(0L));
    assertFalse(store.containsKey(0L));
    assertFalse(a.canApply(s, 0), "a tile whose windows were released cannot be applied");
    assertTrue(a.canApply(s, 5 * H));
  }
}
