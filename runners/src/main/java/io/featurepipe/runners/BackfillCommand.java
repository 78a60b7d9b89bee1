package io.featurepipe.runners;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.backfill.BackfillPlan;
import io.featurepipe.pipelines.validate.BatchValidation;
import io.featurepipe.pipelines.validate.Baseline;
import io.featurepipe.pipelines.validate.GateRecord;
import io.featurepipe.sinks.offline.OfflineLayout;
import io.featurepipe.sinks.offline.Publication;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.gate.QualityGate;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code featurepipe backfill}: a bounded feature run over a date range into the offline store. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the feature groups over the days --from..--to (inclusive, UTC) from the sources'",
      "files and publish one offline partition per group and day under --offline-root",
      "(<root>/<group>/v<version>/date=YYYY-MM-DD/, published by _PUBLISHED). Events from the",
      "longest window before --from are read so the first day's windows are complete. A rerun",
      "replaces the partitions of its range and no other. The run validates what it reads and",
      "computes (statistics, schema, anomalies, report under <offline-root>/_validation/run-<id>/)",
      "and its quality gate decides publication: with --gate=block (default) ERROR anomalies",
      "publish nothing and exit with status 3. Unknown options go to Beam",
      "(e.g. --runner=FlinkRunner --flinkMaster=[local]). With --bigtable or --bigtable-emulator the",
      "rows of the online groups also go to the online store once the gate lets the run publish.",
      "A day of the range for which a source whose path names {date} has no input file is an",
      "error before anything runs (nothing published, exit 1); --allow-missing-input publishes",
      "such days as if the source had no events."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:published", "1:failed (also: a day without input file, unless --allow-missing-input)",
      "2:usage error", "3:blocked by the quality gate (nothing published)"})
final class BackfillCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day to publish.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day to publish (inclusive).")
  LocalDate to;

  @Option(names = "--offline-root", required = true, paramLabel = "DIR", description = "Root of the offline store (folder or URL).")
  String offlineRoot;

  @Option(
      names = "--data-root",
      defaultValue = ".",
      paramLabel = "DIR",
      description = "Folder (or URL) the sources' bounded paths are relative to (default: the current folder).")
  String dataRoot;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Only these feature groups.")
  List<String> groups = new ArrayList<>();

  @Option(names = "--run-id", paramLabel = "ID", description = "The run's id (default: UTC time and a random suffix).")
  String runId;

  @Option(
      names = "--dead-letters",
      paramLabel = "DIR",
      description = "Where rejected records go (default: <offline-root>/_dead_letters/run-<id>).")
  String deadLetters;

  @Option(
      names = "--gate",
      defaultValue = "block",
      paramLabel = "block|warn",
      description = "What ERROR anomalies do: block publication (exit 3), or only warn (default: ${DEFAULT-VALUE}).")
  String gate;

  @Option(
      names = "--baseline",
      defaultValue = "previous",
      paramLabel = "previous|none|DIR",
      description = {
        "What drift is measured against: the previous run (the latest run under",
        "<offline-root>/_validation/ that passed its gate, covered as many days and ended before",
        "--from), none, or an earlier run's validation output folder (default: ${DEFAULT-VALUE})."
      })
  String baseline;

  @Option(
      names = "--validation-output",
      paramLabel = "DIR",
      description = "Where the run's validation outputs go (default: <offline-root>/_validation/run-<id>).")
  String validationOutput;

  @Option(names = "--alerts", paramLabel = "DIR", description = "Also write the run's alerts there as JSON lines.")
  String alerts;

  @Option(names = "--webhook", paramLabel = "URL", description = "Also POST each alert's JSON to this URL.")
  String webhook;

  @Option(
      names = "--no-validation",
      description = "Skip record checks, statistics and the quality gate: publish unvalidated (benchmarks, emergencies).")
  boolean noValidation;

  @Option(
      names = "--chunk-days",
      paramLabel = "N",
      description = {
        "Run the range in chunks of at most N days, one pipeline run each, skipping the days",
        "already published for every chosen group: rerunning an interrupted backfill continues",
        "where it stopped. Without it the whole range is one run that replaces every partition."
      })
  Integer chunkDays;

  @Option(names = "--force", description = "With --chunk-days: rerun the days already published too.")
  boolean force;

  @Option(
      names = "--allow-missing-input",
      description = {
        "Run and publish even when a source whose path names {date} has no input file for a day of",
        "the range (a warning per day; that source counts no events that day). Default: such a day",
        "is an error and nothing runs."
      })
  boolean allowMissingInput;

  @Mixin BigtableOptions bigtable;

  @Unmatched List<String> beamArgs = new ArrayList<>();

  /** The exit status of a run the quality gate blocked. */
  static final int BLOCKED = 3;

  /**
   * What a backfill did.
   *
   * @param publications the partitions published (none when the gate blocked)
   * @param gate the quality gate's record, or null without validation
   */
  record Result(List<Publication> publications, GateRecord gate) {
    boolean blocked() {
      return gate != null && gate.blocks();
    }
  }

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-backfill");
    BatchValidation validation = null;
    if (!noValidation) {
      validation = Backfill.Spec.defaultValidation()
          .withGate(QualityGate.Mode.parse(gate))
          .withBaseline(Baseline.parse(baseline))
          .withOutputRoot(validationOutput)
          .withAlerts(alerts)
          .withWebhook(webhook);
    } else if (validationOutput != null || alerts != null || webhook != null) {
      throw new IllegalArgumentException("--no-validation cannot go with --validation-output, --alerts or --webhook");
    }
    Backfill.Spec spec =
        new Backfill.Spec(
            repo, dataRoot, from, to, groups, offlineRoot,
            runId != null ? runId : WriteOffline.newRunId(), deadLetters)
            .withValidation(validation);
    if (force && chunkDays == null) {
      throw new IllegalArgumentException("--force goes with --chunk-days (without it every day of the range is rerun anyway)");
    }
    if (bigtable.bigtable == null && bigtable.emulator == null) {
      return runChunks(spec, options, System.out);
    }
    try (BigtableOptions.Store store = bigtable.open()) {
      store.prepare(repo);
      System.out.println("online store: " + store.describe());
      return runChunks(spec.withOnline(store.target()), options, System.out);
    }
  }

  /**
   * Runs the backfill as one run, or, with {@code --chunk-days}, as the chunks of its {@link
   * BackfillPlan} one after the other (each with its own run id: {@code <run-id>-<first day>});
   * stops at the first chunk the gate blocks. Returns the exit status.
   */
  private int runChunks(Backfill.Spec spec, PipelineOptions options, PrintStream out) throws java.io.IOException {
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    if (chunkDays == null) {
      if (missingInput(List.of(spec))) {
        return 1;
      }
      return run(spec, options, out).blocked() ? BLOCKED : 0;
    }
    BackfillPlan plan =
        BackfillPlan.of(spec.repository(), spec.from(), spec.to(), spec.chosenGroups(), spec.offlineRoot())
            .withChunkDays(chunkDays)
            .withForce(force);
    List<BackfillPlan.Chunk> chunks = plan.chunks();
    List<Backfill.Spec> toRun = new ArrayList<>();
    for (BackfillPlan.Chunk c : chunks) {
      toRun.add(spec.forRange(c.from(), c.to(), spec.runId() + "-" + c.from()));
    }
    if (missingInput(toRun)) {
      return 1;
    }
    List<LocalDate> done = force ? List.of() : plan.doneDays();
    out.printf("backfill plan: %d chunk(s) of at most %d day(s)%s%n", chunks.size(), chunkDays,
        done.isEmpty() ? "" : String.format(", %d day(s) already published skipped (--force reruns them)", done.size()));
    for (int i = 0; i < chunks.size(); i++) {
      BackfillPlan.Chunk c = chunks.get(i);
      out.printf("%n== chunk %d of %d: %s..%s%n", i + 1, chunks.size(), c.from(), c.to());
      if (run(toRun.get(i), options, out).blocked()) {
        out.printf("stopped: the gate blocked %s..%s; the chunks before it stay published%n", c.from(), c.to());
        return BLOCKED;
      }
    }
    return 0;
  }

  /**
   * Whether a day the runs would read has no input file for a source (and that is not allowed):
   * then prints one error per source and day, naming the path, and that nothing ran. Checked for
   * every run before the first, so nothing is published.
   */
  private boolean missingInput(List<Backfill.Spec> runs) throws java.io.IOException {
    if (allowMissingInput) {
      return false;
    }
    List<String> missing = new ArrayList<>();
    for (Backfill.Spec s : runs) {
      missing.addAll(Backfill.missingInputs(s));
    }
    if (missing.isEmpty()) {
      return false;
    }
    for (String m : missing) {
      System.err.println("error: " + m);
    }
    System.err.println("nothing was run or published: add the missing files, or pass --allow-missing-input to"
        + " publish those days as if the source had no events");
    return true;
  }

  /**
   * Runs a backfill and prints its progress and summary: per source and group what was read,
   * rejected and published, the validation per dataset with the gate's verdict and why, and where
   * the report, the offline store and the dead letters are. A run the gate blocks publishes
   * nothing and says so ({@link Result#blocked()}); earlier publications stay in force.
   */
  static Result run(Backfill.Spec spec, PipelineOptions options, PrintStream out)
      throws java.io.IOException {
    FeatureRepository repo = spec.repository();
    out.printf(
        "backfill %s..%s of %s, run %s, runner %s%n",
        spec.from(), spec.to(), String.join(", ", spec.chosenGroups()), spec.runId(),
        options.getRunner().getSimpleName());
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    for (String missing : Backfill.missingInputs(spec)) {
      out.println("  warning: " + missing);
    }
    Pipeline p = Pipeline.create(options);
    Backfill.build(p, spec);
    long days = spec.to().toEpochDay() - spec.from().toEpochDay() + 1;
    long partitions = days * spec.chosenGroups().stream().filter(g -> repo.group(g).offline()).count();
    PipelineResult result =
        PipelineRun.run(p, out, c -> progress(c, repo, partitions));
    Map<String, Long> counters = PipelineRun.counters(result);
    RunSummary summary = new RunSummary(counters, repo);
    for (String source : repo.sources().keySet()) {
      if (counters.containsKey("records_read_" + source)) {
        out.printf(
            "source %-24s %,10d records read, %,d outside the range, %,d undecodable%s%n",
            source, summary.get("records_read_" + source),
            summary.get("records_outside_range_" + source),
            summary.get("dead_letters_decode_" + source),
            spec.validation() == null ? "" : String.format(", %,d failed checks", summary.get("records_rejected_" + source)));
      }
    }
    GateRecord gate = null;
    if (spec.validation() != null) {
      gate = GateRecord.read(spec.validationOutput());
      if (gate == null) {
        throw new IllegalStateException("the run wrote no gate decision under " + spec.validationOutput());
      }
      out.print(gate.render());
      out.print(summary.volumeAlerts());
    } else {
      out.println("validation: off (--no-validation): nothing checked, published unvalidated");
    }
    List<Publication> published = new ArrayList<>();
    OfflineLayout layout = new OfflineLayout(spec.offlineRoot());
    if (gate != null && gate.blocks()) {
      out.printf(
          "blocked by the quality gate: no partition published (%d blocked), earlier publications stay in force%n",
          summary.get("partitions_blocked"));
      if (spec.online() != null) {
        out.printf("online store: nothing written (%,d rows held back by the gate)%n", summary.get("online_rows_gated"));
      }
      out.printf("dead letters in all: %,d under %s%n", summary.get("dead_letters"), spec.deadLetters());
      return new Result(List.of(), gate);
    }
    for (String g : spec.chosenGroups()) {
      FeatureGroupDef def = repo.group(g);
      if (!def.offline()) {
        out.printf("group  %-24s offline: false, nothing written%n", g);
        continue;
      }
      long rows = 0;
      int files = 0;
      for (LocalDate d = spec.from(); !d.isAfter(spec.to()); d = d.plusDays(1)) {
        Publication pub = Publication.read(layout.folder(OfflineLayout.partition(def, d)));
        if (pub == null || !pub.runId().equals(spec.runId())) {
          throw new IllegalStateException(
              "partition " + OfflineLayout.partition(def, d) + " was not published by this run");
        }
        published.add(pub);
        rows += pub.rows();
        files += pub.files().size();
      }
      out.printf(
          "group  %-24s %,10d rows in %d partitions (%d files), %,d dead letters%n",
          g + " " + def.versionTag(), rows, days, files,
          summary.get("dead_letters_prepare_" + g));
    }
    out.printf(
        "late events: %,d; dead letters in all: %,d under %s%n",
        counters.entrySet().stream()
            .filter(e -> e.getKey().startsWith("late_events_"))
            .mapToLong(Map.Entry::getValue)
            .sum(),
        summary.get("dead_letters"),
        spec.deadLetters());
    out.println("offline store: " + layout.root());
    if (spec.online() != null) {
      out.printf("online store: %,d cells written for %s (%s)%n",
          summary.get("online_cells_written"), String.join(", ", spec.onlineGroups()), spec.online());
    }
    return new Result(published, gate);
  }

  private static String progress(Map<String, Long> c, FeatureRepository repo, long partitions) {
    long read = 0;
    for (String s : repo.sources().keySet()) {
      read += c.getOrDefault("records_read_" + s, 0L);
    }
    return String.format(
        "%,d records read, %,d feature rows, %d/%d partitions published",
        read, c.getOrDefault("feature_rows", 0L), c.getOrDefault("partitions_published", 0L), partitions);
  }
}
