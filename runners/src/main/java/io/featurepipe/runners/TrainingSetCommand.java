package io.featurepipe.runners;

import io.featurepipe.pipelines.training.SpineFormat;
import io.featurepipe.pipelines.training.SpineSource;
import io.featurepipe.pipelines.training.TrainingSet;
import io.featurepipe.pipelines.training.TrainingSetSummary;
import io.featurepipe.sinks.training.TrainingFormat;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code featurepipe training-set}: a point-in-time training set from a spine and the offline store. */
@Command(
    name = "training-set",
    mixinStandardHelpOptions = true,
    description = {
      "Join a spine (entity keys, a timestamp, labels) to the offline store point in time: each",
      "row gets the values of the requested features as of its timestamp by the time rule of the",
      "online store (the window end e(t) = floor((t - availability_delay) / hop) * hop, or the",
      "empty values when the key had no data), never a value from t or later. Writes Avro (or",
      "TFRecord of tf.Example) with the schema and the feature list beside it. Unknown options go to Beam",
      "(e.g. --runner=FlinkRunner --flinkMaster=[local])."
    })
final class TrainingSetCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--spine", required = true, paramLabel = "FILE", description = "Spine file or glob (CSV, JSON lines, Avro or Parquet; compressed by extension, Parquet never).")
  String spine;

  @Option(names = "--spine-timestamp", required = true, paramLabel = "COL", description = "The spine's timestamp column.")
  String spineTimestamp;

  @Option(
      names = "--features",
      required = true,
      paramLabel = "g:f,g:*",
      description = "Features to join: group:feature or group:* (every feature of the group), comma-separated.")
  String features;

  @Option(names = "--offline-root", required = true, paramLabel = "DIR", description = "Root of the offline store.")
  String offlineRoot;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the training set goes.")
  String output;

  @Option(names = "--spine-format", paramLabel = "csv|jsonl|avro|parquet", description = "The spine's format (default: from the file extension).")
  String spineFormat;

  @Option(
      names = "--spine-timestamp-format",
      defaultValue = "auto",
      paramLabel = "FORMAT",
      description = "auto (ISO-8601 text, epoch millis numbers), iso8601, epoch_seconds, epoch_millis, epoch_micros or a DateTimeFormatter pattern (UTC). Default: ${DEFAULT-VALUE}.")
  String spineTimestampFormat;

  @Option(
      names = "--spine-columns",
      paramLabel = "name:type,...",
      description = "Types of spine columns (string, int, double, bool): CSV columns are strings otherwise.")
  String spineColumns;

  @Option(
      names = "--hot-key-threshold",
      paramLabel = "N",
      description = "Spine rows per bucket (group, key and the month of the window end; its date for hops under 45 minutes) above which "
          + "the join spreads them over several workers (default 10000). Lowered per group so that a bucket's spine rows and "
          + "offline rows stay within 10,000 elements of state.")
  Long hotKeyThreshold;

  @Option(
      names = "--format",
      defaultValue = "avro",
      paramLabel = "avro|tfrecord",
      description = "Part files: avro (exact values) or tfrecord (tf.Example; doubles as 32-bit floats, nulls as absent features). Default: ${DEFAULT-VALUE}.")
  String format;

  @Unmatched List<String> beamArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    SpineSource source =
        SpineSource.of(spine, spineTimestamp).withTimestampFormat(spineTimestampFormat);
    if (spineFormat != null) {
      source = source.withFormat(SpineFormat.parse(spineFormat));
    }
    if (spineColumns != null) {
      source = source.withColumnTypes(SpineSource.parseColumnTypes(spineColumns));
    }
    TrainingSet.Spec spec =
        TrainingSet.Spec.of(repo, source, features, offlineRoot, output).withFormat(TrainingFormat.parse(format));
    if (hotKeyThreshold != null) {
      spec = spec.withHotKeyThreshold(hotKeyThreshold);
    }
    run(spec, BeamArgs.parse(beamArgs, "featurepipe-training-set"), System.out);
    return 0;
  }

  /** Builds a training set and prints its summary. */
  static TrainingSetSummary run(TrainingSet.Spec spec, PipelineOptions options, PrintStream out) {
    Pipeline p = Pipeline.create(options);
    TrainingSet.Built built = TrainingSet.build(p, spec);
    out.printf("training set from %s, runner %s%n", spec.spine().pattern(), options.getRunner().getSimpleName());
    PipelineResult result =
        PipelineRun.run(
            p,
            out,
            c ->
                String.format(
                    "%,d spine rows read, %,d training rows written",
                    c.getOrDefault("spine_rows_read", 0L), c.getOrDefault("training_rows_written", 0L)));
    TrainingSetSummary summary = built.summarize(result);
    out.print(summary.render());
    return summary;
  }
}
