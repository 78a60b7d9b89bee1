package io.featurepipe.sinks.online;

import io.featurepipe.transforms.record.FeatureRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Rebuilds, for one key of one group, what a stream would have emitted for the online store from
 * the key's offline rows (which hold neither explicit empties nor {@code onlineWrites}), without
 * Beam: the same rules as window assembly in {@code ComputeFeatures}.
 *
 * <ul>
 *   <li>an explicit empty row (every value the empty value) at the first window end after a row
 *       when the next row is missing, i.e. the key's windows all emptied;
 *   <li>{@code onlineWrites}: the features whose value changed since the previous row (the empty
 *       values when there was none), and those unchanged for a whole longest window since last
 *       written;
 *   <li>at the first window end of the range ({@code from}) every feature, as a stream writes at
 *       its first owned window end: the writes before the range are not known, so the baseline is
 *       restored instead of guessed.
 * </ul>
 *
 * Rows before {@code from} are the lookback: one hop of it decides the explicit empty at {@code
 * from}; rows after {@code through} are ignored, and an explicit empty is emitted only up to
 * {@code through}, the last window end the input is known to be complete for.
 */
final class CellReconstruction {
  private static final long NONE = Long.MIN_VALUE;

  private final long hop;
  private final long longest;
  private final Object[] emptyValues;
  private final long from;
  private final long through;

  CellReconstruction(long hop, long longest, Object[] emptyValues, long from, long through) {
    this.hop = hop;
    this.longest = longest;
    this.emptyValues = emptyValues;
    this.from = from;
    this.through = through;
  }

  /** The rows to write for window ends in [from, through], in window-end order. */
  List<FeatureRow> rows(List<FeatureRow> keyRows) {
    List<FeatureRow> sorted = new ArrayList<>(keyRows);
    sorted.sort(Comparator.comparingLong(FeatureRow::windowEndMillis));
    List<FeatureRow> out = new ArrayList<>();
    State s = new State(emptyValues.length);
    FeatureRow previous = null;
    for (FeatureRow r : sorted) {
      if (previous != null && r.windowEndMillis() == previous.windowEndMillis()) {
        if (!Arrays.deepEquals(r.values(), previous.values())) {
          throw new IllegalStateException(
              "two different offline rows for " + r.identity() + ": is a partition published twice?");
        }
        continue;
      }
      if (r.windowEndMillis() > through) {
        break;
      }
      if (previous != null && r.windowEndMillis() > previous.windowEndMillis() + hop) {
        emit(s, previous, previous.windowEndMillis() + hop, emptyValues, true, out);
      }
      emit(s, r, r.windowEndMillis(), r.values(), false, out);
      previous = r;
    }
    if (previous != null && previous.windowEndMillis() + hop <= through) {
      emit(s, previous, previous.windowEndMillis() + hop, emptyValues, true, out);
    }
    return out;
  }

  private static final class State {
    Object[] lastValues;
    final long[] lastWritten;
    long sequence;

    State(int features) {
      lastWritten = new long[features];
      Arrays.fill(lastWritten, NONE);
    }
  }

  private void emit(State s, FeatureRow like, long e, Object[] values, boolean empty, List<FeatureRow> out) {
    if (e < from) {
      s.lastValues = values;
      return;
    }
    BitSet writes = new BitSet(values.length);
    for (int f = 0; f < values.length; f++) {
      Object previous = s.lastValues == null ? emptyValues[f] : s.lastValues[f];
      boolean write =
          e == from
              || !Objects.deepEquals(previous, values[f])
              || (s.lastWritten[f] != NONE && e - s.lastWritten[f] >= longest);
      if (write) {
        writes.set(f);
        s.lastWritten[f] = e;
      }
    }
    s.lastValues = values;
    s.sequence++;
    out.add(new FeatureRow(like.group(), like.version(), like.key(), e,
        empty ? emptyValues.clone() : values, empty, writes, false, s.sequence));
  }
}
