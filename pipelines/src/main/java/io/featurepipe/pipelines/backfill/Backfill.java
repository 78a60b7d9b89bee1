package io.featurepipe.pipelines.backfill;

import io.featurepipe.pipelines.ingest.SourcePaths;
import io.featurepipe.pipelines.materialize.MaterializeRows;
import io.featurepipe.pipelines.validate.BatchRecords;
import io.featurepipe.pipelines.validate.BatchValidation;
import io.featurepipe.pipelines.validate.Baseline;
import io.featurepipe.pipelines.validate.ReadBatch;
import io.featurepipe.pipelines.validate.RunInfo;
import io.featurepipe.pipelines.validate.ValidateBatch;
import io.featurepipe.pipelines.validate.ValidatedBatch;
import io.featurepipe.pipelines.validate.WriteRunDeadLetters;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.OnlineWriteResult;
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
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * A backfill (DESIGN §4, §5): the feature transform run bounded over a range of dates, validated
 * in its own graph, writing offline partitions that its quality gate lets through. For {@code
 * --from D1 --to D2} it reads the events with {@code ts} in {@code [D1 - longest window, D2 + 1
 * day)} (each source with the longest window of the groups that read it; {@link ReadBatch}), routes
 * records that fail a check to dead letters ({@code CheckRecords}), computes every chosen group
 * with {@link ComputeFeatures}, validates the days' records and rows ({@link ValidateBatch}:
 * statistics, schema, anomalies, alerts, report, gate) and writes and publishes exactly the
 * partitions of dates D1..D2 ({@link WriteOffline}) unless the gate blocks; partitions outside the
 * range are never touched, and a rerun of the range replaces its partitions with the same records.
 * With {@link Spec#withOnline} the same rows of the online groups also go to the online store in
 * the same graph ({@link MaterializeRows}, by the batch side of the one-writer rule), once the gate
 * has decided and only when it lets the run publish.
 *
 * <p>Validation outputs go under {@link Spec#validationOutput()} ({@code
 * <offline-root>/_validation/run-<id>/} by default) and the gate's decision into its {@code
 * gate.json}. A blocked run publishes no partition and removes the data files it wrote; earlier
 * publications stay in force. Every rejected record goes to dead letters under the run's
 * dead-letter folder; counters {@code records_read_<source>}, {@code
 * records_outside_range_<source>}, {@code records_rejected_<source>}, {@code partitions_published},
 * {@code partitions_blocked}, {@code offline_rows_published}, {@code gate_errors}, {@code
 * gate_blocked} and {@code dead_letters} tell the outcome.
 *
 * <pre>{@code
 * Backfill.Outputs out = Backfill.build(pipeline, new Backfill.Spec(repo, "data/", from, to,
 *     List.of(), "offline/", WriteOffline.newRunId(), null));          // validated, gate block
 * pipeline.run().waitUntilFinish();
 * GateRecord gate = GateRecord.read(spec.validationOutput());
 * }</pre>
 */
public final class Backfill {

  /**
   * What to backfill.
   *
   * @param dataRoot the folder (or URL) the sources' bounded paths are relative to
   * @param groups the groups to compute; empty for all
   * @param deadLetterRoot where dead letters go; null for {@code <offlineRoot>/_dead_letters/run-<id>}
   * @param validation how the run validates its data and gates publication; null for no
   *     validation at all (no record checks, statistics or gate: benchmarks and emergencies only)
   * @param online the online store the computed rows of the chosen online groups also go to
   *     ({@link MaterializeRows}, behind the gate), or null for offline only
   */
  public record Spec(
      FeatureRepository repository,
      String dataRoot,
      LocalDate from,
      LocalDate to,
      Collection<String> groups,
      String offlineRoot,
      String runId,
      String deadLetterRoot,
      BatchValidation validation,
      BigtableTarget online) {

    public Spec {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(offlineRoot, "offlineRoot");
      Objects.requireNonNull(runId, "runId");
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
      groups = groups == null ? List.of() : List.copyOf(groups);
      for (String g : groups) {
        repository.group(g);
      }
    }

    /**
     * A validated backfill with the defaults: gate {@code block}, drift against the previous run
     * ({@link Baseline#previousRun()}), outputs under {@code <offlineRoot>/_validation/run-<id>}.
     */
    public Spec(
        FeatureRepository repository,
        String dataRoot,
        LocalDate from,
        LocalDate to,
        Collection<String> groups,
        String offlineRoot,
        String runId,
        String deadLetterRoot) {
      this(repository, dataRoot, from, to, groups, offlineRoot, runId, deadLetterRoot, defaultValidation(), null);
    }

    /** The defaults of a backfill's validation: gate block, drift against the previous run. */
    public static BatchValidation defaultValidation() {
      return BatchValidation.defaults().withBaseline(Baseline.previousRun());
    }

    /** The same backfill validated as given, or without validation (null). */
    public Spec withValidation(BatchValidation newValidation) {
      return new Spec(repository, dataRoot, from, to, groups, offlineRoot, runId, deadLetterRoot, newValidation, online);
    }

    /** The same backfill also writing its online groups' rows to {@code target} (null: offline only). */
    public Spec withOnline(BigtableTarget target) {
      return new Spec(repository, dataRoot, from, to, groups, offlineRoot, runId, deadLetterRoot, validation, target);
    }

    /**
     * The same backfill over a part of its range, as its own run ({@code BackfillPlan}'s chunks):
     * dead letters and validation outputs named by the caller go to a {@code chunk-<from>}
     * folder below them, so chunks never overwrite each other's.
     */
    public Spec forRange(LocalDate newFrom, LocalDate newTo, String newRunId) {
      String chunk = "/chunk-" + newFrom;
      String dead = deadLetterRoot == null ? null : stripSlash(deadLetterRoot) + chunk;
      BatchValidation v =
          validation == null || validation.outputRoot() == null
              ? validation
              : validation.withOutputRoot(stripSlash(validation.outputRoot()) + chunk);
      return new Spec(repository, dataRoot, newFrom, newTo, groups, offlineRoot, newRunId, dead, v, online);
    }

    /** The chosen groups that are online, in definition order (what {@link #online()} receives). */
    public List<String> onlineGroups() {
      return chosenGroups().stream().filter(g -> repository.group(g).online()).toList();
    }

    /** The groups this run computes, in definition order. */
    public List<String> chosenGroups() {
      return RunInfo.chosenGroups(repository, groups);
    }

    public String deadLetters() {
      return deadLetterRoot != null
          ? deadLetterRoot
          : stripSlash(offlineRoot) + "/_dead_letters/run-" + runId;
    }

    /** The folder holding every run's validation outputs by default: {@code <offlineRoot>/_validation}. */
    public String validationRuns() {
      return stripSlash(offlineRoot) + "/_validation";
    }

    /** Where this run's validation outputs go, or null without validation. */
    public String validationOutput() {
      if (validation == null) {
        return null;
      }
      return validation.outputRoot() != null ? validation.outputRoot() : validationRuns() + "/run-" + runId;
    }

    /** The run as validation names it. */
    public RunInfo run() {
      return new RunInfo(runId, "backfill", from, to, chosenGroups());
    }
  }

  /**
   * What the graph produces: the feature rows, the publications (none when the gate blocks),
   * every rejected record, the validation's output (null without validation), and the online
   * write (null without {@link Spec#online()}).
   */
  public record Outputs(
      PCollection<FeatureRow> rows,
      PCollection<Publication> published,
      PCollection<DeadLetter> deadLetters,
      ValidatedBatch validated,
      OnlineWriteResult online) {}

  private Backfill() {}

  /**
   * Adds the backfill to a pipeline. With validation, the previous run's baseline is looked up now
   * (under {@link Spec#validationRuns()}).
   */
  public static Outputs build(Pipeline pipeline, Spec spec) {
    List<String> groups = spec.chosenGroups();
    BatchRecords records =
        pipeline.apply("ReadBatch",
            ReadBatch.of(spec.repository(), spec.dataRoot(), groups, spec.from(), spec.to())
                .withRecordChecks(spec.validation() != null));
    FeatureOutputs out =
        records.valid().apply("ComputeFeatures", ComputeFeatures.of(spec.repository()).withGroups(groups));
    List<PCollection<DeadLetter>> dead = new ArrayList<>(records.deadLetters());
    dead.add(out.deadLetters());
    dead.add(out.lateEvents());
    WriteOffline write =
        WriteOffline.of(spec.repository(), spec.offlineRoot(), spec.runId(), groups, spec.from(), spec.to());
    ValidatedBatch validated = null;
    if (spec.validation() != null) {
      BatchValidation v = spec.validation().withOutputRoot(spec.validationOutput());
      v = v.withBaseline(baseline(v.baseline(), spec));
      validated =
          ValidateBatch.input(records.readBySource(), out.rows())
              .apply("ValidateBatch", ValidateBatch.of(spec.repository(), spec.run(), v));
      write = write.withGate(validated.blockers());
      dead.add(validated.undeliveredAlerts());
    }
    PCollection<Publication> published = out.rows().apply("WriteOffline", write);
    OnlineWriteResult online = null;
    if (spec.online() != null && !spec.onlineGroups().isEmpty()) {
      MaterializeRows materialize =
          MaterializeRows.of(spec.online(), spec.repository(), spec.from(), spec.to()).withGroups(spec.onlineGroups());
      if (validated != null) {
        materialize = materialize.withGate(validated.openView());
      }
      online = out.rows().apply("MaterializeRows", materialize);
      dead.add(online.deadLetters());
    }
    PCollection<DeadLetter> allDead =
        PCollectionList.of(dead).apply("WriteDeadLetters", WriteRunDeadLetters.to(spec.deadLetters()));
    return new Outputs(out.rows(), published, allDead, validated, online);
  }

  /** The baseline resolved to a folder or none (the previous run's, searched under the offline root). */
  private static Baseline baseline(Baseline b, Spec spec) {
    try {
      String root = b.resolve(spec.validationRuns(), spec.from(), spec.to());
      return root == null ? Baseline.none() : Baseline.at(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for the previous run under " + spec.validationRuns(), e);
    }
  }

  /**
   * The days of the range with no input file, per source whose path names {@code {date}}, as
   * readable messages ("no file for source payments on 2026-01-05: payments/2026-01-05.jsonl").
   * Days before {@code from} (the lookback) are not checked: data may start within the range.
   * {@code featurepipe backfill} refuses to run when there is any, unless told to allow them.
   */
  public static List<String> missingInputs(Spec spec) throws IOException {
    List<String> out = new ArrayList<>();
    ComputeFeatures compute = ComputeFeatures.of(spec.repository()).withGroups(spec.chosenGroups());
    for (String name : compute.sources()) {
      var source = spec.repository().source(name);
      if (source.bounded() == null
          || !"path".equals(source.bounded().kind())
          || !source.bounded().get("path").contains("{date}")) {
        continue;
      }
      List<String> patterns = SourcePaths.patterns(source, spec.dataRoot(), spec.from(), spec.to());
      LocalDate day = spec.from();
      for (String pattern : patterns) {
        MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
        if (m.status() == MatchResult.Status.NOT_FOUND
            || (m.status() == MatchResult.Status.OK && m.metadata().isEmpty())) {
          out.add("no file for source " + name + " on " + day + ": " + pattern);
        }
        day = day.plusDays(1);
      }
    }
    return out;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
