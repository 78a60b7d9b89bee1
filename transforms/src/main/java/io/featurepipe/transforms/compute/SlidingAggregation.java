package io.featurepipe.transforms.compute;

import io.featurepipe.transforms.aggregate.Accumulator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregate of a window that slides over tiles, with amortised O(1) merges per slide and no
 * inverse operation (two stacks): tiles enter at the new end and leave at the old end; the front
 * part keeps suffix aggregates, the back part one running aggregate. Works for every accumulator,
 * sketches included, because it only ever merges.
 *
 * <p>Results are exactly those of merging the window's tiles directly: accumulators are
 * order-independent (DESIGN §2). A result is kept until a tile enters or leaves: a key's window
 * often holds the same tiles at consecutive window ends (no event in the hop that entered or in
 * the one that left), and then costs no merge at all.
 */
final class SlidingAggregation {
  private record Item(long start, Accumulator acc) {}

  /** Oldest first; {@code frontSuffix.get(i)} aggregates front items i..end. */
  private final List<Long> frontStarts = new ArrayList<>();
  private final List<Accumulator> frontSuffix = new ArrayList<>();
  private int frontHead;
  private final ArrayDeque<Item> back = new ArrayDeque<>();
  private Accumulator backAggregate;
  /** The last result, valid while {@code unchanged} and asked with the same empty value. */
  private Object result;
  private Object resultWhenEmpty;
  private boolean unchanged;

  /** Adds the newest tile's accumulator (read only: never modified). */
  void push(long start, Accumulator acc) {
    back.addLast(new Item(start, acc));
    unchanged = false;
    if (backAggregate == null) {
      backAggregate = acc.copy();
    } else {
      backAggregate.mergeFrom(acc);
    }
  }

  /** Drops every tile that starts before {@code start}. */
  void dropBefore(long start) {
    while (true) {
      if (frontHead == frontStarts.size()) {
        if (back.isEmpty() || back.peekFirst().start() >= start) {
          return;
        }
        flip();
      }
      if (frontStarts.get(frontHead) >= start) {
        return;
      }
      frontSuffix.set(frontHead, null);
      frontHead++;
      unchanged = false;
    }
  }

  /** Whether the window holds no tile. */
  boolean isEmpty() {
    return frontHead == frontStarts.size() && back.isEmpty();
  }

  /** The aggregate's result, or {@code empty} when the window holds no tile. */
  Object result(Object empty) {
    if (unchanged && resultWhenEmpty == empty) {
      return result;
    }
    result = compute(empty);
    resultWhenEmpty = empty;
    unchanged = true;
    return result;
  }

  private Object compute(Object empty) {
    boolean hasFront = frontHead < frontStarts.size();
    if (!hasFront && backAggregate == null) {
      return empty;
    }
    if (!hasFront) {
      return backAggregate.result();
    }
    Accumulator front = frontSuffix.get(frontHead);
    if (backAggregate == null) {
      return front.result();
    }
    Accumulator both = front.copy();
    both.mergeFrom(backAggregate);
    return both.result();
  }

  /** Moves the back items to the front, building their suffix aggregates. */
  private void flip() {
    frontStarts.clear();
    frontSuffix.clear();
    frontHead = 0;
    Item[] items = back.toArray(new Item[0]);
    Accumulator[] suffix = new Accumulator[items.length];
    for (int i = items.length - 1; i >= 0; i--) {
      suffix[i] = items[i].acc().copy();
      if (i + 1 < items.length) {
        suffix[i].mergeFrom(suffix[i + 1]);
      }
    }
    for (int i = 0; i < items.length; i++) {
      frontStarts.add(items[i].start());
      frontSuffix.add(suffix[i]);
    }
    back.clear();
    backAggregate = null;
  }
}
