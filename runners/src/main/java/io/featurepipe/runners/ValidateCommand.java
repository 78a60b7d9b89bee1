package io.featurepipe.runners;

import io.featurepipe.pipelines.validate.Baseline;
import io.featurepipe.pipelines.validate.BatchValidation;
import io.featurepipe.pipelines.validate.GateRecord;
import io.featurepipe.pipelines.validate.InferredSchemas;
import io.featurepipe.pipelines.validate.Validate;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import io.featurepipe.validation.gate.QualityGate;
import java.io.IOException;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code featurepipe validate}: statistics, schemas, anomalies and the gate over a date range, without writing features. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Validate the sources and feature groups over the days --from..--to (inclusive, UTC), as a",
      "backfill of those days would: statistics (stats.pb), the schema from the definitions",
      "(schema.pbtxt), anomalies (anomalies.pbtxt) and an inferred schema to review for each",
      "source and each group's input and features, under --output/<name>/<source|input|features>/,",
      "with an HTML report (report.html) and the gate's decision (gate.json). Exits 3 when ERROR",
      "anomalies are found (0 with --gate=warn). Unknown options go to Beam (--runner=...)."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:no ERROR anomaly (or --gate=warn)", "1:failed", "2:usage error", "3:ERROR anomalies"})
final class ValidateCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day (inclusive).")
  LocalDate to;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the outputs go (folder or URL; best empty).")
  String output;

  @Option(
      names = "--data-root",
      defaultValue = ".",
      paramLabel = "DIR",
      description = "Folder (or URL) the sources' bounded paths are relative to (default: the current folder).")
  String dataRoot;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Only these feature groups (and their sources).")
  List<String> groups = new ArrayList<>();

  @Option(
      names = "--baseline",
      defaultValue = "none",
      paramLabel = "DIR|previous|none",
      description = {
        "An earlier run's output (a validate --output or a backfill's _validation/run-<id>) to",
        "measure drift against; 'previous' searches the folders beside --output (default: ${DEFAULT-VALUE})."
      })
  String baseline;

  @Option(names = "--infer-schema", description = "Also list each dataset's inferred schema and what it adds to the definitions, for review.")
  boolean inferSchema;

  @Option(
      names = "--gate",
      defaultValue = "block",
      paramLabel = "block|warn",
      description = "What ERROR anomalies do: exit 3 (block), or only warn and exit 0 (default: ${DEFAULT-VALUE}).")
  String gate;

  @Option(names = "--alerts", paramLabel = "DIR", description = "Also write the alerts there as JSON lines.")
  String alerts;

  @Option(names = "--webhook", paramLabel = "URL", description = "Also POST each alert's JSON to this URL.")
  String webhook;

  @Option(names = "--run-id", paramLabel = "ID", description = "The run's id (default: UTC time and a random suffix).")
  String runId;

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
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-validate");
    BatchValidation validation =
        BatchValidation.defaults()
            .withOutputRoot(output)
            .withGate(QualityGate.Mode.parse(gate))
            .withBaseline(Baseline.parse(baseline))
            .withAlerts(alerts)
            .withWebhook(webhook);
    Validate.Spec spec =
        new Validate.Spec(
            repo, dataRoot, from, to, groups, runId != null ? runId : WriteOffline.newRunId(), validation, null);
    GateRecord gateRecord = run(spec, options, inferSchema, System.out);
    return gateRecord.blocks() ? BackfillCommand.BLOCKED : 0;
  }

  /** {@link #run(Validate.Spec, PipelineOptions, boolean, PrintStream)} without the inferred schemas' review. */
  static GateRecord run(Validate.Spec spec, PipelineOptions options, PrintStream out) throws IOException {
    return run(spec, options, false, out);
  }

  /**
   * Runs a validation and prints its summary: records read and rejected per source, anomalies per
   * dataset, the gate's verdict and why, and where the report is; with {@code inferSchema}, each
   * dataset's inferred schema and what it adds to the definitions. Returns the gate's record.
   */
  static GateRecord run(Validate.Spec spec, PipelineOptions options, boolean inferSchema, PrintStream out)
      throws IOException {
    FeatureRepository repo = spec.repository();
    out.printf(
        "validate %s..%s of %s, run %s, runner %s%n",
        spec.from(), spec.to(), String.join(", ", spec.chosenGroups()), spec.runId(),
        options.getRunner().getSimpleName());
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    Pipeline p = Pipeline.create(options);
    Validate.build(p, spec);
    PipelineResult result = PipelineRun.run(p, out, c -> null);
    Map<String, Long> counters = PipelineRun.counters(result);
    RunSummary summary = new RunSummary(counters, repo);
    for (String source : repo.sources().keySet()) {
      if (counters.containsKey("records_read_" + source)) {
        out.printf(
            "source %-24s %,10d records read, %,d undecodable, %,d failed checks%n",
            source, summary.get("records_read_" + source), summary.get("dead_letters_decode_" + source),
            summary.get("records_rejected_" + source));
      }
    }
    GateRecord gate = GateRecord.read(spec.output());
    if (gate == null) {
      throw new IllegalStateException("the run wrote no gate decision under " + spec.output());
    }
    out.print(gate.render());
    out.print(summary.volumeAlerts());
    if (inferSchema) {
      out.print(InferredSchemas.review(spec.output(), gate.datasets().stream().map(GateRecord.DatasetCount::dataset).toList()));
    }
    out.printf("dead letters: %,d under %s%n", summary.get("dead_letters"), spec.deadLetters());
    out.println("outputs: " + spec.output() + "/<source|group>/<source|input|features>/{stats.pb,schema.pbtxt,anomalies.pbtxt,inferred_schema.pbtxt}");
    return gate;
  }
}
