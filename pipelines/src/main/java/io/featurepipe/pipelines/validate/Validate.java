package io.featurepipe.pipelines.validate;

import io.featurepipe.transforms.compute.ComputeFeatures;
import io.featurepipe.transforms.compute.FeatureOutputs;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.transforms.record.DeadLetter;
import io.featurepipe.transforms.record.FeatureRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The {@code validate} pipeline (DESIGN §5): the validation a backfill runs, without writing
 * features. For days {@code from..to} it reads the sources of the chosen groups with the lookback
 * of their longest window ({@link ReadBatch}), checks each record, computes the features, and
 * writes statistics, schema and anomalies for each source and group (input and features), the
 * HTML report and the gate's decision ({@link ValidateBatch}, {@link GateRecord}) under the output
 * root. The statistics of a range are the same bytes a backfill of that range writes.
 *
 * <pre>{@code
 * Validate.Spec spec = new Validate.Spec(repository, "data/", from, to, List.of(), "run-1",
 *     BatchValidation.defaults().withOutputRoot("out/validation"), null);
 * Validate.build(pipeline, spec);
 * pipeline.run().waitUntilFinish();
 * GateRecord gate = GateRecord.read("out/validation");    // gate.blocks(): exit non-zero
 * }</pre>
 */
public final class Validate {

  /**
   * What to validate.
   *
   * @param dataRoot the folder (or URL) the sources' bounded paths are relative to
   * @param groups the groups to validate; empty for all
   * @param runId the run's id (in {@code gate.json} and the report's title)
   * @param validation where outputs go (its output root is required), the gate, baseline and alerts
   * @param deadLetterRoot where rejected records go; null for {@code <output>/_dead_letters}
   */
  public record Spec(
      FeatureRepository repository,
      String dataRoot,
      LocalDate from,
      LocalDate to,
      Collection<String> groups,
      String runId,
      BatchValidation validation,
      String deadLetterRoot) {

    public Spec {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(validation, "validation");
      if (validation.outputRoot() == null) {
        throw new IllegalArgumentException("validate needs an output folder (--output)");
      }
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      groups = groups == null ? List.of() : List.copyOf(groups);
      for (String g : groups) {
        repository.group(g);
      }
    }

    /** The groups validated, in definition order. */
    public List<String> chosenGroups() {
      return RunInfo.chosenGroups(repository, groups);
    }

    public String output() {
      return validation.outputRoot();
    }

    public String deadLetters() {
      return deadLetterRoot != null ? deadLetterRoot : stripSlash(output()) + "/_dead_letters";
    }

    /** The run as validation names it. */
    public RunInfo run() {
      return new RunInfo(runId, "validate", from, to, chosenGroups());
    }

    /**
     * The validation with its baseline resolved: {@link Baseline#previousRun()} is searched among
     * the run folders beside the output (its parent folder).
     */
    BatchValidation resolved() {
      String out = stripSlash(output());
      String parent = out.contains("/") ? out.substring(0, out.lastIndexOf('/')) : ".";
      try {
        String root = validation.baseline().resolve(parent, from, to);
        return validation.withBaseline(root == null ? Baseline.none() : Baseline.at(root));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot look for the previous run under " + parent, e);
      }
    }
  }

  /** What the graph produces: the feature rows, every rejected record, and the validation's output. */
  public record Outputs(PCollection<FeatureRow> rows, PCollection<DeadLetter> deadLetters, ValidatedBatch validated) {}

  private Validate() {}

  /** Adds the validation run to a pipeline. */
  public static Outputs build(Pipeline pipeline, Spec spec) {
    List<String> groups = spec.chosenGroups();
    BatchRecords records =
        pipeline.apply("ReadBatch",
            ReadBatch.of(spec.repository(), spec.dataRoot(), groups, spec.from(), spec.to()).withRecordChecks(true));
    FeatureOutputs out =
        records.valid().apply("ComputeFeatures", ComputeFeatures.of(spec.repository()).withGroups(groups));
    ValidatedBatch validated =
        ValidateBatch.input(records.readBySource(), out.rows())
            .apply("ValidateBatch", ValidateBatch.of(spec.repository(), spec.run(), spec.resolved()));
    List<PCollection<DeadLetter>> dead = new ArrayList<>(records.deadLetters());
    dead.add(out.deadLetters());
    dead.add(out.lateEvents());
    dead.add(validated.undeliveredAlerts());
    PCollection<DeadLetter> allDead =
        PCollectionList.of(dead).apply("WriteDeadLetters", WriteRunDeadLetters.to(spec.deadLetters()));
    return new Outputs(out.rows(), allDead, validated);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
