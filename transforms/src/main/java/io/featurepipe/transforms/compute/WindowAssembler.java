package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.record.FeatureRow;
import java.util.BitSet;
import java.util.List;
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
  /** Each feature computation's window length and tile slot (a stream builds a cursor per key and hop). */
  private final long[] windowMillis;
  private final int[] slotOfComputation;

  WindowAssembler(CompiledGroup group) {
    this.group = group;
    this.hop = group.hopMillis();
    this.longest = group.longestWindowMillis();
    this.emptyValues = group.emptyValues();
    this.windowMillis = new long[group.computationCount()];
    this.slotOfComputation = new int[group.computationCount()];
    for (int c = 0; c < windowMillis.length; c++) {
      windowMillis[c] = group.windowMillisOf(group.featureOfComputation(c));
      slotOfComputation[c] = group.slotOf(group.featureOfComputation(c));
    }
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

  /**
   * Computes feature values at ascending window ends of one key, sliding each window over the
   * tiles instead of re-merging them: consecutive window ends cost amortised O(1) merges per
   * feature computation, however long the window. A computation takes only the tiles its own
   * window reaches: a new cursor (a stream builds one per key and hop) merges one tile for a window
   * of one hop, not every tile of the group's longest window.
   */
  final class Cursor {
    private final AssemblyState s;
    private final Tiles tiles;
    private final SlidingAggregation[] windows;
    private long pushedThrough = AssemblyState.NONE;
    private long lastEnd = AssemblyState.NONE;

    Cursor(AssemblyState s, Tiles tiles) {
      this.s = s;
      this.tiles = tiles;
      this.windows = new SlidingAggregation[group.computationCount()];
      for (int c = 0; c < windows.length; c++) {
        windows[c] = new SlidingAggregation();
      }
    }

    /** The value of every feature at window end {@code e}; ends must not decrease. */
    Object[] valuesAt(long e) {
      if (lastEnd != AssemblyState.NONE && e < lastEnd) {
        throw new IllegalStateException("window ends must ascend: " + e + " after " + lastEnd);
      }
      lastEnd = e;
      long from = Math.max(e - longest, pushedThrough == AssemblyState.NONE ? Long.MIN_VALUE : pushedThrough + 1);
      if (from <= e - hop) {
        for (long start : s.tileStarts.subSet(from, true, e - hop, true)) {
          Tile tile = tiles.get(start);
          for (int c = 0; c < windows.length; c++) {
            // a tile before this window's start is outside it at e and at every later window end
            if (start >= e - windowMillis[c]) {
              windows[c].push(start, tile.slots()[slotOfComputation[c]]);
            }
          }
        }
        pushedThrough = e - hop;
      }
      Object[] computed = new Object[windows.length];
      for (int c = 0; c < windows.length; c++) {
        int feature = group.featureOfComputation(c);
        windows[c].dropBefore(e - windowMillis[c]);
        computed[c] = windows[c].result(emptyValues[feature]);
      }
      Object[] values = new Object[group.featureCount()];
      for (int f = 0; f < values.length; f++) {
        values[f] = computed[group.computationOf(f)];
      }
      return values;
    }
  }

  /** A cursor over a key's tiles, for window ends from now on in ascending order. */
  Cursor cursor(AssemblyState s, Tiles tiles) {
    return new Cursor(s, tiles);
  }

  /** The last window end a row is due at with the tiles held: the explicit empty after the last tile. */
  long lastDue(AssemblyState s) {
    return s.tileStarts.isEmpty() ? AssemblyState.NONE : s.tileStarts.last() + hop + longest;
  }

  /** The value of every feature at window end {@code e}. */
  Object[] valuesAt(AssemblyState s, Tiles tiles, long e) {
    return cursor(s, tiles).valuesAt(e);
  }

  /**
   * The row at window end {@code e}, updating the state's sequence, last values and last writes.
   * A restated row (late data changed an emitted window end) writes every feature online.
   */
  FeatureRow row(GroupKey key, AssemblyState s, Cursor cursor, long e, boolean restated) {
    return row(key, s, cursor, e, restated, false);
  }

  /**
   * {@link #row(GroupKey, AssemblyState, Cursor, long, boolean)}, for a row emitted behind the
   * watermark when {@code behind}: it is flagged {@code restated} (so the online store orders it
   * before later restatements of it) but writes, like any first row of its window end, only what
   * changed.
   */
  FeatureRow row(GroupKey key, AssemblyState s, Cursor cursor, long e, boolean restated, boolean behind) {
    Object[] values = cursor.valuesAt(e);
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
        restated || behind,
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
