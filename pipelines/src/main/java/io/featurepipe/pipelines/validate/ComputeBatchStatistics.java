package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.group.EveryKey;
import io.featurepipe.validation.columns.DatasetColumns;
import io.featurepipe.validation.columns.ExampleValues;
import io.featurepipe.validation.columns.RowCoder;
import io.featurepipe.validation.stats.DatasetAccumulator;
import io.featurepipe.validation.stats.StatisticsCombineFn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.protobuf.ProtoCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TupleTag;
import org.tensorflow.metadata.v0.DatasetFeatureStatistics;
import org.tensorflow.metadata.v0.DatasetFeatureStatisticsList;

/**
 * The statistics of every dataset of a bounded run: {@link #accumulate} turns a collection's
 * elements into examples of datasets ({@link DatasetExamples}) and accumulates them per bundle;
 * this transform merges those partial accumulators, flattened, into one {@code KV<dataset label,
 * DatasetFeatureStatisticsList>} per dataset given, with {@code num_examples: 0} for a dataset
 * without examples. The values are those of {@link StatisticsCombineFn} (the combiner of {@code
 * ComputeStatistics}), to the byte: its accumulators merge order-independently.
 *
 * <pre>{@code
 * ComputeBatchStatistics stats = new ComputeBatchStatistics(columnsByLabel, sharedInputs);
 * PCollectionList.of(records.apply("Accumulate", stats.accumulate(sourceExamples)))
 *     .and(rows.apply("AccumulateRows", stats.accumulate(featureExamples)))
 *     .apply("Statistics", stats);
 * }</pre>
 *
 * <p>Why not {@code ComputeStatistics} ({@code Combine.globally}) per dataset: on the DirectRunner
 * a grouped key's values are copied, through their coder, each time a bundle adds to them, and
 * the feature rows of a run arrive in one small bundle per entity key (the per-key timers of
 * feature computation), so the lifted combine copies every earlier partial accumulator (a
 * structured decode and encode of about 0.3 ms each) once per key: quadratic, several times the
 * backfill's own time on the sample; and each extra step on the rows' path costs the DirectRunner
 * an evaluator per bundle. Here one step per input collection accumulates every dataset it feeds
 * (no re-windowing step when the input is in the global window already), each bundle's partials
 * travel encoded as bytes (copied at memory speed), spread over {@link #SHARDS} keys, merged per
 * shard and then per dataset. A bundle with at most {@link Combiners#LOOSE_EXAMPLES} examples of a
 * dataset sends the examples themselves: most bundles of feature rows hold a few rows, and an
 * accumulator (sketches for every column) costs far more to create and encode than they do.
 * Other runners run it as they would the lifted combine.
 */
final class ComputeBatchStatistics
    extends PTransform<PCollectionList<KV<KV<String, Integer>, byte[]>>, PCollection<KV<String, DatasetFeatureStatisticsList>>> {
  /** Keys the partial accumulators of a dataset are spread over before merging. */
  static final int SHARDS = 16;

  private final Map<String, DatasetColumns> datasets;
  private final Map<String, List<String>> sharedBy;
  private final Combiners combiners;

  /**
   * @param datasets the columns of each dataset, by label, in output order
   * @param shared datasets that get no examples of their own, by label: the label of the dataset
   *     whose examples they have (the same columns, but for the dataset's name); for a source's
   *     examples ({@link DatasetExamples#ofSource}), its {@link DatasetExamples#sharedInputs}
   */
  ComputeBatchStatistics(Map<String, DatasetColumns> datasets, Map<String, String> shared) {
    this.datasets = new LinkedHashMap<>(datasets);
    this.combiners = new Combiners(datasets);
    Map<String, List<String>> by = new HashMap<>();
    shared.forEach((label, of) -> {
      if (!datasets.containsKey(label) || !datasets.containsKey(of)) {
        throw new IllegalArgumentException("shared dataset " + label + " -> " + of + ": not among " + datasets.keySet());
      }
      if (!datasets.get(label).columns().equals(datasets.get(of).columns())) {
        throw new IllegalArgumentException("dataset " + label + " cannot share " + of + "'s examples: other columns");
      }
      by.computeIfAbsent(of, k -> new ArrayList<>()).add(label);
    });
    this.sharedBy = by;
  }

  /** Accumulates the examples of a collection's elements per bundle: partial accumulators for this transform. */
  <T> PTransform<PCollection<T>, PCollection<KV<KV<String, Integer>, byte[]>>> accumulate(DatasetExamples<T> examples) {
    return new Accumulate<>(combiners, examples);
  }

  @Override
  public PCollection<KV<String, DatasetFeatureStatisticsList>> expand(PCollectionList<KV<KV<String, Integer>, byte[]>> partials) {
    PCollection<KV<String, DatasetFeatureStatisticsList>> found =
        partials
            .apply("Flatten", Flatten.pCollections())
            .setCoder(partialCoder())
            .apply("GroupShards", GroupByKey.create())
            .apply("MergeShards", ParDo.of(new MergeShardFn(combiners)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
            .apply("GroupDatasets", GroupByKey.create())
            .apply("Extract", ParDo.of(new ExtractFn(combiners, sharedBy)))
            .setCoder(outputCoder());
    return KeyedPCollectionTuple.of(FOUND, found)
        .apply("Datasets", EveryKey.of(datasets.keySet()))
        .apply("EveryDataset", ParDo.of(new EveryDatasetFn(combiners)))
        .setCoder(outputCoder());
  }

  private static KvCoder<KV<String, Integer>, byte[]> partialCoder() {
    return KvCoder.of(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()), ByteArrayCoder.of());
  }

  /** Elements to partial accumulators, one per dataset and bundle. */
  private static final class Accumulate<T> extends PTransform<PCollection<T>, PCollection<KV<KV<String, Integer>, byte[]>>> {
    private final Combiners combiners;
    private final DatasetExamples<T> examples;

    Accumulate(Combiners combiners, DatasetExamples<T> examples) {
      this.combiners = combiners;
      this.examples = examples;
    }

    @Override
    public PCollection<KV<KV<String, Integer>, byte[]>> expand(PCollection<T> input) {
      // a step costs the DirectRunner an evaluator per bundle, and feature rows come in many small
      // bundles: re-window only what is not in the global window already
      PCollection<T> global = input.getWindowingStrategy().getWindowFn() instanceof GlobalWindows
          ? input
          : input.apply("GlobalWindow", Window.into(new GlobalWindows()));
      return global
          .apply("AccumulateBundles", ParDo.of(new AccumulateFn<>(combiners, examples)))
          .setCoder(partialCoder());
    }
  }

  private static KvCoder<String, DatasetFeatureStatisticsList> outputCoder() {
    return KvCoder.of(StringUtf8Coder.of(), ProtoCoder.of(DatasetFeatureStatisticsList.class));
  }

  /** The combiner of each dataset, and its accumulators as bytes. */
  static final class Combiners implements java.io.Serializable {
    /** Examples of a dataset up to which a bundle sends them as they are rather than accumulated. */
    static final int LOOSE_EXAMPLES = 32;

    private static final int ACCUMULATOR = 'A';
    private static final int EXAMPLES = 'E';

    private final Map<String, StatisticsCombineFn<Object[]>> fns = new HashMap<>();
    private transient Map<String, Coder<DatasetAccumulator>> coders;

    Combiners(Map<String, DatasetColumns> datasets) {
      datasets.forEach((label, columns) -> fns.put(label, StatisticsCombineFn.of(columns, ExampleValues.rows())));
    }

    Partial partial(String label) {
      return new Partial(fn(label));
    }

    StatisticsCombineFn<Object[]> fn(String label) {
      StatisticsCombineFn<Object[]> fn = fns.get(label);
      if (fn == null) {
        throw new IllegalArgumentException("no dataset '" + label + "' among " + fns.keySet());
      }
      return fn;
    }

    /**
     * A bundle's partial of one dataset as bytes: its examples themselves when they are few
     * (cheaper to encode than an accumulator, which holds sketches for every column), else its
     * accumulator. The first byte tells which.
     */
    byte[] encode(String label, Partial partial) throws IOException {
      if (partial.accumulator == null) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(EXAMPLES);
        VarIntCoder.of().encode(partial.examples.size(), out);
        for (Object[] example : partial.examples) {
          RowCoder.of().encode(example, out);
        }
        return out.toByteArray();
      }
      return encode(label, partial.accumulator);
    }

    byte[] encode(String label, DatasetAccumulator acc) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(ACCUMULATOR);
      coder(label).encode(acc, out);
      return out.toByteArray();
    }

    /** Partials of one dataset (either form) merged into one accumulator. */
    DatasetAccumulator merge(String label, Iterable<byte[]> partials) throws IOException {
      StatisticsCombineFn<Object[]> fn = fn(label);
      List<DatasetAccumulator> accs = new ArrayList<>();
      DatasetAccumulator loose = null;
      for (byte[] p : partials) {
        ByteArrayInputStream in = new ByteArrayInputStream(p);
        int form = in.read();
        if (form == ACCUMULATOR) {
          accs.add(coder(label).decode(in));
        } else if (form == EXAMPLES) {
          if (loose == null) {
            loose = fn.createAccumulator();
          }
          for (int n = VarIntCoder.of().decode(in); n > 0; n--) {
            loose = fn.addInput(loose, RowCoder.of().decode(in));
          }
        } else {
          throw new IOException("partial statistics of '" + label + "' in an unknown form " + form);
        }
      }
      if (loose != null) {
        accs.add(loose);
      }
      return accs.isEmpty() ? fn.createAccumulator() : fn.mergeAccumulators(accs);
    }

    /** A bundle's examples of one dataset: kept as they are up to {@link #LOOSE_EXAMPLES}, then accumulated. */
    static final class Partial {
      private final StatisticsCombineFn<Object[]> fn;
      private List<Object[]> examples = new ArrayList<>();
      private DatasetAccumulator accumulator;

      private Partial(StatisticsCombineFn<Object[]> fn) {
        this.fn = fn;
      }

      void add(Object[] example) {
        if (examples != null) {
          examples.add(example);
          if (examples.size() <= LOOSE_EXAMPLES) {
            return;
          }
          accumulator = fn.createAccumulator();
          examples.forEach(e -> accumulator = fn.addInput(accumulator, e));
          examples = null;
        } else {
          accumulator = fn.addInput(accumulator, example);
        }
      }
    }

    DatasetFeatureStatisticsList extract(String label, DatasetAccumulator acc) {
      DatasetFeatureStatistics stats = fn(label).extractOutput(acc);
      return DatasetFeatureStatisticsList.newBuilder().addDatasets(stats).build();
    }

    private Coder<DatasetAccumulator> coder(String label) {
      if (coders == null) {
        coders = new HashMap<>();
      }
      return coders.computeIfAbsent(label, l -> {
        try {
          return fn(l).getAccumulatorCoder(CoderRegistry.createDefault(), null);
        } catch (CannotProvideCoderException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  /** One partial accumulator per dataset and bundle, encoded, on a random shard. */
  static final class AccumulateFn<T> extends DoFn<T, KV<KV<String, Integer>, byte[]>> {
    private final Combiners combiners;
    private final DatasetExamples<T> examples;
    private transient Map<String, Combiners.Partial> partial;

    AccumulateFn(Combiners combiners, DatasetExamples<T> examples) {
      this.combiners = combiners;
      this.examples = examples;
    }

    @Setup
    public void setup() {
      examples.setup();
    }

    @StartBundle
    public void start() {
      partial = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element T element) {
      examples.of(element, (label, values) -> partial.computeIfAbsent(label, combiners::partial).add(values));
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws IOException {
      for (Map.Entry<String, Combiners.Partial> e : partial.entrySet()) {
        int shard = ThreadLocalRandom.current().nextInt(SHARDS);
        c.output(KV.of(KV.of(e.getKey(), shard), combiners.encode(e.getKey(), e.getValue())),
            GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      partial = null;
    }
  }

  /** The partial accumulators of one dataset's shard, merged. */
  static final class MergeShardFn extends DoFn<KV<KV<String, Integer>, Iterable<byte[]>>, KV<String, byte[]>> {
    private final Combiners combiners;

    MergeShardFn(Combiners combiners) {
      this.combiners = combiners;
    }

    @ProcessElement
    public void process(@Element KV<KV<String, Integer>, Iterable<byte[]>> shard, OutputReceiver<KV<String, byte[]>> out)
        throws IOException {
      String label = shard.getKey().getKey();
      out.output(KV.of(label, combiners.encode(label, combiners.merge(label, shard.getValue()))));
    }
  }

  /** A dataset's shards merged into its statistics, and those of the datasets that share its examples. */
  static final class ExtractFn extends DoFn<KV<String, Iterable<byte[]>>, KV<String, DatasetFeatureStatisticsList>> {
    private final Combiners combiners;
    private final Map<String, List<String>> sharedBy;

    ExtractFn(Combiners combiners, Map<String, List<String>> sharedBy) {
      this.combiners = combiners;
      this.sharedBy = sharedBy;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<byte[]>> dataset, OutputReceiver<KV<String, DatasetFeatureStatisticsList>> out)
        throws IOException {
      String label = dataset.getKey();
      DatasetAccumulator acc = combiners.merge(label, dataset.getValue());
      out.output(KV.of(label, combiners.extract(label, acc)));
      for (String other : sharedBy.getOrDefault(label, List.of())) {
        out.output(KV.of(other, combiners.extract(other, acc)));
      }
    }
  }

  private static final TupleTag<DatasetFeatureStatisticsList> FOUND = new TupleTag<>("found");

  /** Every dataset's statistics: those found, and the statistics of no examples for the others. */
  static final class EveryDatasetFn extends DoFn<KV<String, CoGbkResult>, KV<String, DatasetFeatureStatisticsList>> {
    private final Combiners combiners;

    EveryDatasetFn(Combiners combiners) {
      this.combiners = combiners;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> e, OutputReceiver<KV<String, DatasetFeatureStatisticsList>> out) {
      String label = e.getKey();
      DatasetFeatureStatisticsList stats = e.getValue().getOnly(FOUND, null);
      out.output(KV.of(label, stats != null ? stats : combiners.extract(label, combiners.fn(label).createAccumulator())));
    }
  }
}
