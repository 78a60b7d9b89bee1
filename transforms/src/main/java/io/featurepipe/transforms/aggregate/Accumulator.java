package io.featurepipe.transforms.aggregate;

/**
 * A mergeable partial aggregate of one aggregation over one column: the content of a tile slot
 * (one hop of one key) and of a window being assembled from tiles.
 *
 * <p>Contract (DESIGN §2): the {@link #result()} of an accumulator depends only on the multiset of
 * (value, event time) pairs added to it and to everything merged into it, never on the order of
 * adds and merges, bundling or runner — bit for bit. Nulls are skipped by all but {@code count},
 * which counts rows.
 *
 * <p>Accumulators are mutable and not thread-safe. {@link #mergeFrom} never modifies its argument.
 */
public interface Accumulator {

  /** Adds one row's value (null allowed) with the row's full-precision event time. */
  void add(Object value, long eventTimeNanos);

  /** Adds everything {@code other} holds; {@code other} must come from the same aggregation. */
  void mergeFrom(Accumulator other);

  /**
   * The feature value: {@link Long}, {@link Double}, {@link String}, {@link Boolean}, a timestamp
   * as {@link Long} epoch nanos, or a {@link java.util.List} for {@code top_k}/{@code last_k}. Over
   * no non-null values: {@code count}, {@code sum}, {@code approx_count_distinct} give 0 (as
   * {@code 0L}, or {@code 0.0} for a sum of doubles), {@code top_k}/{@code last_k} give an empty
   * list, the others null.
   */
  Object result();

  /** An independent copy. */
  Accumulator copy();
}
