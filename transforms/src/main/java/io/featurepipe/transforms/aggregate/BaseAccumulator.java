package io.featurepipe.transforms.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The accumulators of this package: each has a tag and writes its parameters and state for {@link
 * AccumulatorCoder}. The written state is canonical: it depends only on the multiset of (value,
 * event time) pairs added, never on the order of adds and merges, so equal contents encode to equal
 * bytes.
 */
abstract class BaseAccumulator implements Accumulator {

  /** The tag of the accumulator's class (and kind) in {@link AccumulatorCoder}'s format. */
  abstract int tag();

  /** Writes the parameters and the state; the tag is written by the coder. */
  abstract void write(DataOutput out) throws IOException;

  @Override
  public abstract BaseAccumulator copy();

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + result() + "]";
  }

  /** Casts {@code other} to this accumulator's class, or fails with a clear message. */
  final <T extends BaseAccumulator> T sameKind(Accumulator other, Class<T> type) {
    if (!type.isInstance(other)) {
      throw new IllegalArgumentException(
          "cannot merge "
              + (other == null ? "null" : other.getClass().getSimpleName())
              + " into "
              + getClass().getSimpleName());
    }
    return type.cast(other);
  }
}
