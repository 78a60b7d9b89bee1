package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.aggregate.Accumulator;
import io.featurepipe.transforms.record.FeatureRow;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;

/**
 * The window logic of one group (DESIGN §3, §7.4), without Beam: which window ends are due, the
 * value of every feature at a window end from the tiles, which values the online store must
 * write, and which tiles may be released. {@link AssembleWindows} keeps the state and timers and
 * delegates here, so the logic is tested on its own.
 *
 * <p>A row is due at window end {@code e} when some window of the group ending at {@code e} holds a
 * tile (a normal row), or when none does but one ending at {@code e - hop} did (the explicit empty
 * row). With the longest window {@code W}, both mean: a tile starts in {@code [e - hop - W, e - hop]}.
 */
final class WindowAssembler {

  /** Where the tiles of one key live (Beam map state in the pipeline, a map in tests). */
  interface Tiles {
    Tile get(long hopStart);

    void put(Tile tile);

    void remove(long hopStart);
  }

  private final CompiledGroup group;
  private final long hop;
  private final long longest;
  private final Object[] emptyValues;

  WindowAssembler(CompiledGroup group) {
    this.group = group;
    this.hop = group.hopMillis();
    this.longest = group.longestWindowMillis();
    this.emptyValues = group.emptyValues();
  }

  /** How long tiles are kept after the last window end that reads them: lateness plus slack. */
  long retentionMillis() {
    return group.allowedLatenessMillis() + 2 * hop;
  }

  /** Whether some window ending at {@code e} holds a tile. */
  boolean nonEmpty(AssemblyState s, long e) {
    Long t = s.tileStarts.ceiling(e - longest);
    return t != null && t <= e - hop;
  }

  /** The first window end after {@code s.emittedThrough} at which a row is due, or NONE. */
  long nextDue(AssemblyState s) {
    if (s.tileStarts.isEmpty()) {
      return AssemblyState.NONE;
    }
    if (s.emittedThrough == AssemblyState.NONE) {
      return s.tileStarts.first() + hop;
    }
    long e = s.emittedThrough + hop;
    Long t = s.tileStarts.ceiling(e - hop - longest);
    if (t == null) {
      return AssemblyState.NONE;
    }
    return t <= e - hop ? e : t + hop;
  }

  /** The value of every feature at window end {@code e}. */
  Object[] valuesAt(AssemblyState s, Tiles tiles, long e) {
    Map<Long, Tile> read = new HashMap<>();
    Object[] computed = new Object[group.computationCount()];
    for (int c = 0; c < computed.length; c++) {
      int feature = group.featureOfComputation(c);
      int slot = group.slotOf(feature);
      long window = group.windowMillisOf(feature);
      NavigableSet<Long> inWindow = s.tileStarts.subSet(e - window, true, e - hop, true);
      if (inWindow.isEmpty()) {
        computed[c] = emptyValues[feature];
        continue;
      }
      Accumulator acc = null;
      for (long start : inWindow) {
        Tile tile = read.computeIfAbsent(start, tiles::get);
        if (acc == null) {
          acc = tile.slots()[slot].copy();
        } else {
          acc.mergeFrom(tile.slots()[slot]);
        }
      }
      computed[c] = acc.result();
    }
    Object[] values = new Object[group.featureCount()];
    for (int f = 0; f < values.length; f++) {
      values[f] = computed[group.computationOf(f)];
    }
    return values;
  }

  /**
   * The row at window end {@code e}, updating the state's sequence, last values and last writes.
   * A restated row (late data changed an emitted window end) writes every feature online.
   */
  FeatureRow row(GroupKey key, AssemblyState s, Tiles tiles, long e, boolean restated) {
    Object[] values = valuesAt(s, tiles, e);
    int features = values.length;
    if (s.lastWritten == null) {
      s.lastWritten = new long[features];
      java.util.Arrays.fill(s.lastWritten, AssemblyState.NONE);
    }
    BitSet writes = new BitSet(features);
    boolean latest = e >= s.emittedThrough || s.emittedThrough == AssemblyState.NONE;
    for (int f = 0; f < features; f++) {
      Object previous = s.lastValues == null ? emptyValues[f] : s.lastValues[f];
      boolean write =
          restated
              || !Objects.deepEquals(previous, values[f])
              || (s.lastWritten[f] != AssemblyState.NONE && e - s.lastWritten[f] >= longest);
      if (write) {
        writes.set(f);
        if (latest || restated) {
          s.lastWritten[f] = Math.max(s.lastWritten[f], e);
        }
      }
    }
    if (latest) {
      s.lastValues = values;
    }
    s.sequence++;
    return new FeatureRow(
        group.name(),
        group.def().version(),
        List.copyOf(key.key()),
        e,
        values,
        !nonEmpty(s, e),
        writes,
        restated,
        s.sequence);
  }

  /**
   * Whether a partial tile arriving now can still be applied exactly: every tile the window ends it
   * changes read must still be held.
   */
  boolean canApply(AssemblyState s, long hopStart) {
    return s.evictedBefore == AssemblyState.NONE || hopStart + hop - longest >= s.evictedBefore;
  }

  /** Releases the tiles no window end at or after {@code e - retention} reads. */
  void evict(AssemblyState s, Tiles tiles, long e) {
    long cutoff = e - longest - retentionMillis();
    NavigableSet<Long> old = s.tileStarts.headSet(cutoff, false);
    if (old.isEmpty()) {
      return;
    }
    for (long start : old) {
      tiles.remove(start);
    }
    old.clear();
    s.evictedBefore = Math.max(s.evictedBefore, cutoff);
  }

  /** When a dormant key's state can be cleared: after the last tile can no longer change any row. */
  long clearAt(AssemblyState s) {
    return s.tileStarts.last() + hop + longest + hop + retentionMillis();
  }

  long hop() {
    return hop;
  }

  long longest() {
    return longest;
  }
}
