package io.featurepipe.benchmarks.offline;

import io.featurepipe.pipelines.ingest.ReadSource;
import io.featurepipe.pipelines.training.ReadSpine;
import io.featurepipe.pipelines.training.SpineLayout;
import io.featurepipe.pipelines.training.TrainingSet;
import io.featurepipe.sinks.training.FeatureSelection;
import io.featurepipe.sinks.training.JoinPointInTime;
import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.SourceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * Where featurepipe's time goes, measured by running growing prefixes of its pipelines on the same
 * runner, each ending in a step that only counts: the differences between consecutive prefixes are
 * the cost of the steps added (the runner's fixed cost is in the first).
 *
 * <ul>
 *   <li>backfill: read and decode the files; then with {@link ComputeFeatures}; the full backfill
 *       adds selecting the range, writing the Avro partitions and publishing them;
 *   <li>training set: read the spine; then with {@link JoinPointInTime} (reading the offline
 *       partitions and the four shuffles); the full run adds writing the training set.
 * </ul>
 */
final class FeaturepipeStages {
  static final String COUNTER = "benchmark_elements";

  /** A prefix of a pipeline and what running it cost. */
  record Stage(String name, Measured measured) {}

  private FeaturepipeStages() {}

  static List<Stage> backfill(FeaturepipeEngine engine, OfflineWorkload w) throws Exception {
    FeatureRepository repo = FeaturepipeEngine.repository(w);
    List<Stage> out = new ArrayList<>();
    out.add(new Stage("read + decode", Measured.of(w.events(), () -> {
      Pipeline p = engine.newPipeline();
      count(read(p, repo, w));
      return counted(p);
    })));
    out.add(new Stage("+ ComputeFeatures", Measured.of(w.events(), () -> {
      Pipeline p = engine.newPipeline();
      count(PCollectionTuple.of(ComputeFeatures.sourceTag("payments"), read(p, repo, w))
          .apply("ComputeFeatures", ComputeFeatures.of(repo))
          .rows());
      return counted(p);
    })));
    return out;
  }

  static List<Stage> trainingSet(FeaturepipeEngine engine, OfflineWorkload w, Path offline) throws Exception {
    FeatureRepository repo = FeaturepipeEngine.repository(w);
    TrainingSet.Spec spec = FeaturepipeEngine.trainingSpec(repo, w, offline, offline.resolveSibling("unused"));
    FeatureSelection selection = FeatureSelection.parse(repo, spec.features());
    SpineLayout layout = SpineLayout.inspect(spec.spine(), selection);
    List<Stage> out = new ArrayList<>();
    out.add(new Stage("read spine", Measured.of(w.spineRows(), () -> {
      Pipeline p = engine.newPipeline();
      count(p.apply("ReadSpine", ReadSpine.of(layout, selection)).get(ReadSpine.ROWS));
      return counted(p);
    })));
    out.add(new Stage("+ JoinPointInTime", Measured.of(w.spineRows(), () -> {
      Pipeline p = engine.newPipeline();
      count(p.apply("ReadSpine", ReadSpine.of(layout, selection))
          .get(ReadSpine.ROWS)
          .apply("JoinPointInTime", JoinPointInTime.of(repo, selection, offline.toString())));
      return counted(p);
    })));
    return out;
  }

  private static PCollection<SourceRecord> read(Pipeline p, FeatureRepository repo, OfflineWorkload w) {
    return p.apply(
            "ReadSource/payments",
            ReadSource.of(repo.source("payments"), w.dataRoot().toString(),
                w.from().minusDays(BenchFeatures.LONGEST_HOPS / 24), w.to()))
        .get(ReadSource.RECORDS);
  }

  private static <T> void count(PCollection<T> c) {
    c.apply("Count", ParDo.of(new CountFn<T>()));
  }

  private static long counted(Pipeline p) {
    return FeaturepipeEngine.run(p).getOrDefault(COUNTER, 0L);
  }

  /** Counts its input and outputs nothing: the end of a prefix. */
  static final class CountFn<T> extends DoFn<T, Void> {
    private final Counter count = Metrics.counter("featurepipe", COUNTER);

    @ProcessElement
    public void process(@Element T element) {
      count.inc();
    }
  }
}
