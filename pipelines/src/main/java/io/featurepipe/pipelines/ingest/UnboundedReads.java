package io.featurepipe.pipelines.ingest;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * What every unbounded read of a stream does after its source, whatever the source.
 *
 * <p>On Flink, a read is followed by a {@code Rebalance} step ({@link Reshuffle#viaRandomKey()},
 * which Beam's Flink runner translates to Flink's round-robin {@code rebalance()}: no grouping, no
 * state). It ends the source's chain of operators. Beam 2.70's Flink runner passes a watermark on
 * from a step only between two bundles, and a chain fed by a source without pause almost never
 * has a moment between bundles: there the watermark passed only at checkpoints, and values became
 * readable online a checkpoint interval late. After the rebalance every chain is fed from the
 * network, is idle between buffers, and passes its watermark on time, so streams keep Flink's
 * operator chaining (docs/flink.md, {@code --operatorChaining}) at the cost of one network hop for
 * each record read. Other runners (the DirectRunner, Dataflow, whose {@code Reshuffle} is a real
 * shuffle) read without it; a bounded read (a number of records, a stop time) needs none either.
 */
public final class UnboundedReads {
  private UnboundedReads() {}

  /** Whether a stream's unbounded reads end their source's chain on these options' runner. */
  private static boolean rebalanceAfterRead(PipelineOptions options) {
    return options.getRunner() != null && options.getRunner().getName().startsWith("org.apache.beam.runners.flink.");
  }

  /** {@code read} followed by {@code Rebalance} where {@link #rebalanceAfterRead} says so; else {@code read}. */
  public static <T> PCollection<T> rebalanced(PCollection<T> read) {
    if (!rebalanceAfterRead(read.getPipeline().getOptions())) {
      return read;
    }
    return read.apply("Rebalance", Reshuffle.viaRandomKey());
  }
}
