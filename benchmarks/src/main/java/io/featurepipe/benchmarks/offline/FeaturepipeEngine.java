package io.featurepipe.benchmarks.offline;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.metrics.Counters;
import io.featurepipe.pipelines.training.SpineSource;
import io.featurepipe.pipelines.training.TrainingSet;
import io.featurepipe.runners.flink.FlinkDefaults;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.transforms.definitions.RepositoryLoader;
import io.featurepipe.transforms.model.ColumnType;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * featurepipe itself, as a user runs it: {@link Backfill#build} over the workload's range (offline
 * partitions, published), then {@link TrainingSet#build} with the spine and every feature of both
 * groups, each a pipeline run to completion on the given runner. A run with a dead letter fails:
 * the data is clean, so one would mean the engines did not compute the same thing.
 */
final class FeaturepipeEngine implements OfflineEngine {
  static final String RUN_ID = "benchmark";

  private final String name;
  private final Supplier<PipelineOptions> options;

  private FeaturepipeEngine(String name, Supplier<PipelineOptions> options) {
    this.name = name;
    this.options = options;
  }

  /**
   * The DirectRunner with the command line's defaults: the element immutability and encodability
   * checks off (as {@code featurepipe backfill} runs it), {@code cores} worker threads.
   */
  static FeaturepipeEngine direct(int cores) {
    return new FeaturepipeEngine("featurepipe, DirectRunner", () -> {
      DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
      o.setRunner(DirectRunner.class);
      o.setTargetParallelism(cores);
      o.setEnforceImmutability(false);
      o.setEnforceEncodability(false);
      return o;
    });
  }

  /**
   * Flink embedded: a mini-cluster in this JVM ({@code --flinkMaster=[local]}), batch, {@code
   * parallelism} slots, with featurepipe's Flink defaults ({@link FlinkDefaults}) and the Flink
   * pipeline options in {@code -Dbenchmarks.offline.flinkOptions} (e.g. {@code
   * "--fasterCopy=false"}), which the engine's name then shows.
   */
  static FeaturepipeEngine flink(int parallelism) {
    String extra = System.getProperty("benchmarks.offline.flinkOptions", "").trim();
    String[] args = extra.isEmpty() ? new String[0] : extra.split("\\s+");
    String name = "featurepipe, Flink [local] p=" + parallelism + (extra.isEmpty() ? "" : " " + extra);
    return new FeaturepipeEngine(name, () -> {
      FlinkPipelineOptions o = PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
      o.setRunner(FlinkRunner.class);
      o.setFlinkMaster("[local]");
      o.setParallelism(parallelism);
      FlinkDefaults.apply(o); // as `featurepipe backfill` and `training-set` run on Flink
      return o;
    });
  }

  @Override
  public String name() {
    return name;
  }

  Pipeline newPipeline() {
    return Pipeline.create(options.get());
  }

  static FeatureRepository repository(OfflineWorkload w) throws Exception {
    return RepositoryLoader.load(w.repository());
  }

  static Backfill.Spec backfillSpec(FeatureRepository repo, OfflineWorkload w, Path offline) {
    return new Backfill.Spec(
        repo, w.dataRoot().toString(), w.from(), w.to(), List.of(), offline.toString(), RUN_ID, null);
  }

  static TrainingSet.Spec trainingSpec(FeatureRepository repo, OfflineWorkload w, Path offline, Path training) {
    SpineSource spine = SpineSource.of(w.spine().toString(), "event_time")
        .withColumnTypes(Map.of("is_fraud", ColumnType.BOOL));
    return TrainingSet.Spec.of(repo, spine, BenchFeatures.selection(), offline.toString(), training.toString());
  }

  @Override
  public long backfill(OfflineWorkload w, Path offline) throws Exception {
    Pipeline p = newPipeline();
    Backfill.build(p, backfillSpec(repository(w), w, offline));
    Map<String, Long> counters = run(p);
    return counters.getOrDefault("offline_rows_published", 0L);
  }

  @Override
  public long trainingSet(OfflineWorkload w, Path offline, Path training) throws Exception {
    Pipeline p = newPipeline();
    TrainingSet.build(p, trainingSpec(repository(w), w, offline, training));
    Map<String, Long> counters = run(p);
    return counters.getOrDefault("training_rows_written", 0L);
  }

  /** Runs a pipeline to the end; its {@code featurepipe} counters. Fails on a dead letter. */
  static Map<String, Long> run(Pipeline p) {
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the pipeline ended " + state);
    }
    Map<String, Long> counters = Counters.of(result);
    for (String dead : List.of("dead_letters", "spine_dead_letters")) {
      if (counters.getOrDefault(dead, 0L) > 0) {
        throw new IllegalStateException(counters.get(dead) + " " + dead + ": the benchmark data should have none");
      }
    }
    return counters;
  }

  @Override
  public EngineOutputs outputs(OfflineWorkload w, Path offline, Path training) {
    FeatureRepository repo;
    try {
      repo = repository(w);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return new AvroOutputs(
        (g, d) -> {
          Path folder = offline.resolve(g.name()).resolve(repo.group(g.name()).versionTag()).resolve("date=" + d);
          Publication pub = Publication.read(folder.toString());
          List<Path> files = new ArrayList<>();
          if (pub != null) {
            pub.files().forEach(f -> files.add(folder.resolve(f)));
          }
          return files;
        },
        () -> PlainJavaEngine.files(training, ".avro"));
  }
}
