package io.featurepipe.transforms.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A {@link CoGroupByKey} over exactly the keys of a list known when the graph is built: each key
 * once, with no values where nothing arrived, and values of keys not in the list dropped ("for each
 * partition of the range, what was written and what the gate said", "for each dataset, its
 * statistics or none").
 *
 * <pre>{@code
 * PCollection<KV<String, CoGbkResult>> perPartition =
 *     KeyedPCollectionTuple.of(WRITTEN, written).and(BLOCKERS, blockers)
 *         .apply("EveryPartition", EveryKey.of(partitions));
 * }</pre>
 *
 * <p>Why not a root {@code Create} of the keys with the results as a side input: the DirectRunner
 * was seen to leave such a step's elements pushed back forever (waiting for a side input that was
 * ready), so that a backfill never ended, in about one run in twenty on a loaded machine. A
 * grouping waits for its inputs by the watermark alone, on every runner.
 */
public final class EveryKey extends PTransform<KeyedPCollectionTuple<String>, PCollection<KV<String, CoGbkResult>>> {
  private static final TupleTag<Boolean> KEY = new TupleTag<>("everyKey");
  private final List<String> keys;

  private EveryKey(List<String> keys) {
    this.keys = keys;
  }

  /** Groups by key and yields each of {@code keys} too, with or without values. */
  public static EveryKey of(Collection<String> keys) {
    return new EveryKey(new ArrayList<>(keys));
  }

  @Override
  public PCollection<KV<String, CoGbkResult>> expand(KeyedPCollectionTuple<String> input) {
    List<KV<String, Boolean>> marks = new ArrayList<>();
    keys.forEach(k -> marks.add(KV.of(k, true)));
    PCollection<KV<String, Boolean>> expected =
        input.getPipeline().apply("Keys", Create.of(marks).withCoder(KvCoder.of(StringUtf8Coder.of(), BooleanCoder.of())));
    return input
        .and(KEY, expected)
        .apply("ByKey", CoGroupByKey.create())
        .apply("OnlyListed", Filter.by((KV<String, CoGbkResult> k) -> k.getValue().getAll(KEY).iterator().hasNext()));
  }
}
