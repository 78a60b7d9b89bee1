package io.featurepipe.transforms.group;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * {@link Combine#globally} and {@link Combine#perKey} that first combine the elements of each
 * bundle, so that the grouping downstream receives one partial accumulator per (window, key) and
 * bundle instead of every element. The output is the same as the plain combine's for a
 * CombineFn whose result does not depend on how its inputs are split (as every CombineFn must).
 *
 * <pre>{@code
 * // one statistics per hour of a stream, merged from one partial accumulator per bundle
 * rows.apply(Window.into(FixedWindows.of(Duration.standardHours(1))))
 *     .apply("Statistics", CombineInBundles.globally(statisticsFn).withoutDefaults());
 * }</pre>
 *
 * <p>Why: runners lift combiners before a shuffle in batch, but Beam's Flink runner does not in
 * streaming. There, every element of a {@code Combine} reads its window's accumulator from state,
 * adds itself and writes it back; with RocksDB state that is a decode and an encode of the whole
 * accumulator per element, all on one key for a global combine (measured: 74% of a stream's Java
 * samples, about 45% of its CPU, for its statistics; docs/benchmarks.md). Combined in the bundle first, the state is read and
 * written once per bundle (a Flink bundle closes after {@code --maxBundleSize} elements, 1,000 by
 * default, or {@code --maxBundleTimeMills}, 100 ms in featurepipe's streams).
 *
 * <p>The partial accumulators are emitted when the bundle finishes, at their window's end ({@link
 * BoundedWindow#maxTimestamp()}), which is never earlier than the elements they hold: a partial is
 * late downstream only where its elements would have been. Runners do not advance the watermark
 * past a bundle in progress; on Flink that holds with {@code --finishBundleBeforeCheckpointing=true}
 * (featurepipe's default for streams): with it off, Beam's runner buffers what a bundle finished
 * inside a checkpoint outputs and may send the watermark first, so partials could arrive late.
 *
 * <p>Refused: merging windows (sessions: a partial's window would not be final), triggers other
 * than the default (one counting elements would count partials) and timestamp combiners other
 * than the end of the window (they would see the partials' timestamps, not the elements').
 */
public final class CombineInBundles {
  private CombineInBundles() {}

  /** Like {@code Combine.globally(fn)}: one output per window, the default for an empty one. */
  public static <InputT, AccumT, OutputT> Globally<InputT, AccumT, OutputT> globally(
      CombineFn<InputT, AccumT, OutputT> fn) {
    return new Globally<>(fn, true, 0);
  }

  /** Like {@code Combine.perKey(fn)}: one output per key and window where the key has elements. */
  public static <K, InputT, AccumT, OutputT> PerKey<K, InputT, AccumT, OutputT> perKey(
      CombineFn<InputT, AccumT, OutputT> fn) {
    return new PerKey<>(fn);
  }

  /** See {@link CombineInBundles#globally}. */
  public static final class Globally<InputT, AccumT, OutputT>
      extends PTransform<PCollection<InputT>, PCollection<OutputT>> {
    private final CombineFn<InputT, AccumT, OutputT> fn;
    private final boolean insertDefault;
    private final int fanout;

    private Globally(CombineFn<InputT, AccumT, OutputT> fn, boolean insertDefault, int fanout) {
      this.fn = fn;
      this.insertDefault = insertDefault;
      this.fanout = fanout;
    }

    /** No output for a window without elements (required for windows other than the global one). */
    public Globally<InputT, AccumT, OutputT> withoutDefaults() {
      return new Globally<>(fn, false, fanout);
    }

    /** Merges the partials through this many intermediate keys first ({@link Combine.Globally#withFanout}). */
    public Globally<InputT, AccumT, OutputT> withFanout(int newFanout) {
      if (newFanout < 0) {
        throw new IllegalArgumentException("fanout must be >= 0, not " + newFanout);
      }
      return new Globally<>(fn, insertDefault, newFanout);
    }

    @Override
    public PCollection<OutputT> expand(PCollection<InputT> input) {
      refuseUnsupportedWindowing(input);
      Coder<AccumT> accumulatorCoder = accumulatorCoder(fn, input.getCoder(), input);
      PCollection<AccumT> partials =
          input.apply("CombineInBundle", ParDo.of(new PartialGlobally<>(fn))).setCoder(accumulatorCoder);
      Combine.Globally<AccumT, OutputT> merge =
          Combine.globally(new MergePartials<>(fn, input.getCoder()));
      if (!insertDefault) {
        merge = merge.withoutDefaults();
      }
      if (fanout > 0) {
        merge = merge.withFanout(fanout);
      }
      return partials.apply("MergeBundles", merge);
    }
  }

  /** See {@link CombineInBundles#perKey}. */
  public static final class PerKey<K, InputT, AccumT, OutputT>
      extends PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> {
    private final CombineFn<InputT, AccumT, OutputT> fn;

    private PerKey(CombineFn<InputT, AccumT, OutputT> fn) {
      this.fn = fn;
    }

    @Override
    public PCollection<KV<K, OutputT>> expand(PCollection<KV<K, InputT>> input) {
      refuseUnsupportedWindowing(input);
      if (!(input.getCoder() instanceof KvCoder<K, InputT> kvCoder)) {
        throw new IllegalArgumentException("CombineInBundles.perKey needs a KvCoder, not " + input.getCoder());
      }
      Coder<K> keyCoder = kvCoder.getKeyCoder();
      Coder<AccumT> accumulatorCoder = accumulatorCoder(fn, kvCoder.getValueCoder(), input);
      return input
          .apply("CombineInBundle", ParDo.of(new PartialPerKey<K, InputT, AccumT>(fn, keyCoder)))
          .setCoder(KvCoder.of(keyCoder, accumulatorCoder))
          .apply("MergeBundles", Combine.perKey(new MergePartials<>(fn, kvCoder.getValueCoder())));
    }
  }

  private static void refuseUnsupportedWindowing(PCollection<?> input) {
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    if (!windowing.getWindowFn().isNonMerging()) {
      throw new IllegalArgumentException("CombineInBundles needs non-merging windows, not " + windowing.getWindowFn());
    }
    // a trigger counting elements would count partials; other timestamp combiners would see the
    // partials' window-end timestamps instead of the elements'
    if (!(windowing.getTrigger() instanceof DefaultTrigger)) {
      throw new IllegalArgumentException("CombineInBundles needs the default trigger, not " + windowing.getTrigger());
    }
    if (windowing.getTimestampCombiner() != TimestampCombiner.END_OF_WINDOW) {
      throw new IllegalArgumentException(
          "CombineInBundles needs outputs at the end of the window, not " + windowing.getTimestampCombiner());
    }
  }

  private static <InputT, AccumT> Coder<AccumT> accumulatorCoder(
      CombineFn<InputT, AccumT, ?> fn, Coder<InputT> inputCoder, PCollection<?> input) {
    try {
      return fn.getAccumulatorCoder(input.getPipeline().getCoderRegistry(), inputCoder);
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("no accumulator coder for " + fn, e);
    }
  }

  /** Holds one accumulator per window of the bundle; emits them when the bundle finishes. */
  private static final class PartialGlobally<InputT, AccumT> extends DoFn<InputT, AccumT> {
    private final CombineFn<InputT, AccumT, ?> fn;
    private transient Map<BoundedWindow, AccumT> partials;

    PartialGlobally(CombineFn<InputT, AccumT, ?> fn) {
      this.fn = fn;
    }

    @StartBundle
    public void startBundle() {
      partials = new LinkedHashMap<>();
    }

    @ProcessElement
    public void process(@Element InputT element, BoundedWindow window) {
      partials.put(window, fn.addInput(partials.computeIfAbsent(window, w -> fn.createAccumulator()), element));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      partials.forEach((window, partial) -> context.output(fn.compact(partial), window.maxTimestamp(), window));
      partials = null;
    }
  }

  /** Holds one accumulator per (window, key) of the bundle; emits them when the bundle finishes. */
  private static final class PartialPerKey<K, InputT, AccumT> extends DoFn<KV<K, InputT>, KV<K, AccumT>> {
    private final CombineFn<InputT, AccumT, ?> fn;
    private final Coder<K> keyCoder;
    private transient Map<BoundedWindow, Map<Object, KV<K, AccumT>>> partials;

    PartialPerKey(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder) {
      this.fn = fn;
      this.keyCoder = keyCoder;
    }

    @StartBundle
    public void startBundle() {
      partials = new LinkedHashMap<>();
    }

    @ProcessElement
    public void process(@Element KV<K, InputT> element, BoundedWindow window) {
      K key = element.getKey();
      Map<Object, KV<K, AccumT>> ofWindow = partials.computeIfAbsent(window, w -> new LinkedHashMap<>());
      Object structural = keyCoder.structuralValue(key);
      KV<K, AccumT> held = ofWindow.get(structural);
      AccumT accumulator = held == null ? fn.createAccumulator() : held.getValue();
      ofWindow.put(structural, KV.of(key, fn.addInput(accumulator, element.getValue())));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      partials.forEach((window, ofWindow) ->
          ofWindow.values().forEach(partial -> context.output(
              KV.of(partial.getKey(), fn.compact(partial.getValue())), window.maxTimestamp(), window)));
      partials = null;
    }
  }

  /** The downstream combine: its inputs are partial accumulators, merged as the CombineFn merges. */
  private static final class MergePartials<InputT, AccumT, OutputT> extends CombineFn<AccumT, AccumT, OutputT> {
    private final CombineFn<InputT, AccumT, OutputT> fn;
    private final Coder<InputT> inputCoder;

    MergePartials(CombineFn<InputT, AccumT, OutputT> fn, Coder<InputT> inputCoder) {
      this.fn = fn;
      this.inputCoder = inputCoder;
    }

    @Override
    public AccumT createAccumulator() {
      return fn.createAccumulator();
    }

    @Override
    public AccumT addInput(AccumT accumulator, AccumT partial) {
      return fn.mergeAccumulators(Arrays.asList(accumulator, partial));
    }

    @Override
    public AccumT mergeAccumulators(Iterable<AccumT> accumulators) {
      return fn.mergeAccumulators(accumulators);
    }

    @Override
    public AccumT compact(AccumT accumulator) {
      return fn.compact(accumulator);
    }

    @Override
    public OutputT extractOutput(AccumT accumulator) {
      return fn.extractOutput(accumulator);
    }

    @Override
    public OutputT defaultValue() {
      return fn.defaultValue();
    }

    @Override
    public Coder<AccumT> getAccumulatorCoder(CoderRegistry registry, Coder<AccumT> partialCoder) {
      return partialCoder;
    }

    @Override
    public Coder<OutputT> getDefaultOutputCoder(CoderRegistry registry, Coder<AccumT> partialCoder)
        throws CannotProvideCoderException {
      return fn.getDefaultOutputCoder(registry, inputCoder);
    }
  }
}
