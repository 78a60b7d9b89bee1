package io.featurepipe.pipelines.training;

import io.featurepipe.sinks.deadletter.WriteDeadLetters;
import io.featurepipe.sinks.files.JsonLinesFormat;
import io.featurepipe.sinks.files.WritePartitionedFiles;
import io.featurepipe.sinks.training.FeatureSelection;
import io.featurepipe.sinks.training.JoinPointInTime;
import io.featurepipe.sinks.training.JoinedRow;
import io.featurepipe.sinks.training.TrainingSchema;
import io.featurepipe.sinks.training.TrainingFormat;
import io.featurepipe.sinks.training.WriteTrainingSet;
import io.featurepipe.transforms.model.FeatureRepository;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The {@code training-set} pipeline: read a spine, join it point-in-time to the offline store
 * ({@link JoinPointInTime}, DESIGN §3) and write the training set ({@link WriteTrainingSet}), with
 * the spine's unusable rows as dead letters.
 *
 * <pre>{@code
 * TrainingSet.Built built = TrainingSet.build(pipeline, TrainingSet.Spec.of(
 *     repository, SpineSource.of("spine.csv", "event_time"), "user_spend:*,merchant_risk:fraud_rate_7d",
 *     "/data/offline", "/data/training/fraud-v1"));
 * PipelineResult result = pipeline.run();
 * result.waitUntilFinish();
 * System.out.print(built.summarize(result).render());
 * }</pre>
 *
 * <p>Layout under the output folder: {@code part-NNNNN.avro}, {@code training.avsc}, {@code
 * features.json}, {@code dead-letters/dead-letters-NNNNN.jsonl} (only when there are some).
 * Everything that can be checked before running is checked by {@link #build}: the features, the
 * spine's files and columns, the output names; it throws {@link IllegalArgumentException} with a
 * message for the user.
 */
public final class TrainingSet {
  public static final String DEAD_LETTERS = "dead-letters";

  /**
   * What to build.
   *
   * @param features {@code g:f,g:*}, see {@link FeatureSelection#parse}
   * @param hotKeyThreshold spine rows per bucket (group, key, month or date) above which the join spreads the bucket; 0 for the
   *     default ({@link JoinPointInTime#DEFAULT_HOT_KEY_THRESHOLD})
   */
  public record Spec(
      FeatureRepository repository,
      SpineSource spine,
      String features,
      String offlineRoot,
      String outputDir,
      long hotKeyThreshold,
      TrainingFormat format) {

    public static Spec of(FeatureRepository repository, SpineSource spine, String features, String offlineRoot, String outputDir) {
      return new Spec(repository, spine, features, offlineRoot, outputDir, 0, TrainingFormat.AVRO);
    }

    public Spec withHotKeyThreshold(long threshold) {
      return new Spec(repository, spine, features, offlineRoot, outputDir, threshold, format);
    }

    /** The part files' format: Avro (default) or TFRecord of tf.Example. */
    public Spec withFormat(TrainingFormat format) {
      return new Spec(repository, spine, features, offlineRoot, outputDir, hotKeyThreshold, format);
    }
  }

  /**
   * What was built: the training set's schema and feature columns, the spine's layout, and where
   * the outputs will be.
   */
  public record Built(TrainingSchema schema, SpineLayout spine, String outputDir, TrainingFormat format) {
    public String dataFiles() {
      return outputDir + "/" + WriteTrainingSet.PREFIX + "-*" + format.extension();
    }

    public String schemaFile() {
      return outputDir + "/" + WriteTrainingSet.SCHEMA_FILE;
    }

    public String featuresFile() {
      return outputDir + "/" + WriteTrainingSet.FEATURES_FILE;
    }

    public String deadLetters() {
      return outputDir + "/" + DEAD_LETTERS + "/";
    }

    /** The run's counts, to print. */
    public TrainingSetSummary summarize(org.apache.beam.sdk.PipelineResult result) {
      return TrainingSetSummary.of(result, this);
    }
  }

  private TrainingSet() {}

  /** Adds the training-set pipeline to {@code pipeline}. */
  public static Built build(Pipeline pipeline, Spec spec) {
    if (spec.outputDir() == null || spec.outputDir().isBlank()) {
      throw new IllegalArgumentException("no output folder given for the training set");
    }
    String output = spec.outputDir().endsWith("/") ? spec.outputDir().substring(0, spec.outputDir().length() - 1) : spec.outputDir();
    FeatureSelection selection = FeatureSelection.parse(spec.repository(), spec.features());
    SpineLayout layout = SpineLayout.inspect(spec.spine(), selection);
    TrainingSchema schema = TrainingSchema.of(layout.schema(), selection);
    JoinPointInTime join = JoinPointInTime.of(spec.repository(), selection, spec.offlineRoot());
    if (spec.hotKeyThreshold() > 0) {
      join = join.withHotKeyThreshold(spec.hotKeyThreshold());
    }

    PCollectionTuple spine = pipeline.apply("ReadSpine", ReadSpine.of(layout, selection));
    PCollection<JoinedRow> joined = spine.get(ReadSpine.ROWS).apply("JoinPointInTime", join);
    joined.apply("WriteTrainingSet", WriteTrainingSet.to(output, schema, spec.spine().timestampColumn()).withFormat(spec.format()));
    spine
        .get(ReadSpine.DEAD_LETTERS)
        .apply("DeadLettersAsJson", MapElements.into(TypeDescriptors.strings()).via(WriteDeadLetters::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteDeadLetters",
            WritePartitionedFiles.to(output + "/" + DEAD_LETTERS, DEAD_LETTERS, new JsonLinesFormat(), d -> ""));
    return new Built(schema, layout, output, spec.format());
  }
}
