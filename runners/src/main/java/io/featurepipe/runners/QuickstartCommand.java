package io.featurepipe.runners;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.training.SpineSource;
import io.featurepipe.pipelines.validate.BadBatch;
import io.featurepipe.pipelines.validate.Baseline;
import io.featurepipe.pipelines.training.TrainingSet;
import io.featurepipe.sinks.json.FeatureRowJson;
import io.featurepipe.sinks.offline.OfflineStore;
import io.featurepipe.sinks.offline.WriteOffline;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code featurepipe quickstart}: the whole path on embedded defaults, on the bundled payments
 * sample (DESIGN §5): check the definitions; backfill every feature group over the sample's two
 * weeks into the offline store on the DirectRunner, validated in the graph; show the quality gate
 * blocking a corrupted copy of the last day; build a training set from the sample spine; stream
 * the last day through an in-process Kafka broker into an in-process Bigtable emulator, read
 * features back and audit them against the offline store; print where everything is.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run featurepipe end to end on the bundled payments sample with embedded defaults",
      "(DirectRunner, an in-process Kafka broker and Bigtable emulator): plan the example feature",
      "repository; backfill every feature group into the offline store, validated, with a quality",
      "gate; show the gate blocking a corrupted batch; build a training set; stream the last day",
      "into the online store, read it back and audit it. Unknown options go to Beam",
      "(e.g. --runner=FlinkRunner --flinkMaster=[local])."
    })
final class QuickstartCommand implements Callable<Integer> {

  @Option(
      names = "--workdir",
      defaultValue = "featurepipe-quickstart",
      description = "Where the sample, the definitions and all outputs go (default: ${DEFAULT-VALUE}).")
  Path workdir;

  @Unmatched List<String> beamArgs = new ArrayList<>();

  /** The days of the bundled sample. */
  static final LocalDate SAMPLE_FROM = LocalDate.of(2026, 1, 1);

  static final LocalDate SAMPLE_TO = LocalDate.of(2026, 1, 14);

  /** The groups whose input the corrupted batch breaks (their source is the payments). */
  static final List<String> BAD_BATCH_GROUPS = List.of("user_spend", "merchant_risk");

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Files.createDirectories(workdir);
    Path defs = BundledResources.extract("feature-defs/payments", workdir.resolve("feature-defs/payments"));
    Path data = BundledResources.extract("sample", workdir.resolve("sample"));
    System.out.println("== featurepipe quickstart ==");
    System.out.println("definitions: " + defs);
    System.out.println("sample data: " + data);

    System.out.println();
    System.out.println("-- 1. plan: load and check the feature definitions");
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(defs);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    System.out.print(Plan.of(repo).render(defs.toString()));

    System.out.println();
    System.out.println("-- 2. backfill: every feature group over the sample's days into the offline store,");
    System.out.println("      validated in the same graph (statistics, schema, anomalies, the quality gate)");
    Path offline = workdir.resolve("offline");
    deleteTree(offline);
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-quickstart");
    Backfill.Spec backfill =
        new Backfill.Spec(
            repo, data.toString(), SAMPLE_FROM, SAMPLE_TO, List.of(), offline.toString(),
            WriteOffline.newRunId(), null);
    BackfillCommand.Result clean = BackfillCommand.run(backfill, options, System.out);
    if (clean.blocked()) {
      System.err.println("the quality gate blocked the clean sample: see " + backfill.validationOutput());
      return 1;
    }
    System.out.println();
    System.out.println("example offline rows (user_spend, " + SAMPLE_TO + "):");
    FeatureRowJson json = new FeatureRowJson(repo);
    new OfflineStore(repo, offline.toString())
        .rows("user_spend", SAMPLE_TO).stream()
        .limit(3)
        .forEach(r -> System.out.println("  " + json.toJson(r)));

    System.out.println();
    System.out.println("-- 3. quality gate: a corrupted copy of " + SAMPLE_TO + " is kept out of the store");
    Path bad = workdir.resolve("bad-batch");
    deleteTree(bad);
    BadBatch.write(data, bad, List.of(SAMPLE_TO));
    BadBatch.CORRUPTIONS.forEach(c -> System.out.println("  " + c));
    Backfill.Spec corrupted =
        new Backfill.Spec(
            repo, bad.toString(), SAMPLE_TO, SAMPLE_TO, BAD_BATCH_GROUPS, offline.toString(),
            WriteOffline.newRunId(), null)
            .withValidation(
                Backfill.Spec.defaultValidation().withBaseline(Baseline.at(backfill.validationOutput())));
    BackfillCommand.Result blocked = BackfillCommand.run(corrupted, options, System.out);
    if (!blocked.blocked()) {
      System.err.println("the quality gate did not block the corrupted batch: see " + corrupted.validationOutput());
      return 1;
    }
    OfflineStore store = new OfflineStore(repo, offline.toString());
    for (String group : BAD_BATCH_GROUPS) {
      System.out.println(
          "  " + group + " " + SAMPLE_TO + " is still published by run " + store.publication(group, SAMPLE_TO).runId()
              + " (the clean one: " + backfill.runId() + ")");
    }

    System.out.println();
    System.out.println("-- 4. training set: the sample spine (2,000 labelled payments) joined point in time");
    Path training = workdir.resolve("training");
    deleteTree(training);
    TrainingSetCommand.run(
        TrainingSet.Spec.of(
            repo,
            SpineSource.of(data.resolve("spine.csv").toString(), "event_time")
                .withColumnTypes(SpineSource.parseColumnTypes("is_fraud:bool")),
            "user_spend:*,merchant_risk:*,user_merchant_affinity:*",
            offline.toString(),
            training.toString()),
        options,
        System.out);
    System.out.println("example training rows (label, then features as of each payment's time):");
    TrainingRows.first(training, 2).forEach(r -> System.out.println("  " + r));

    System.out.println();
    System.out.print("-- 5. ");
    QuickstartOnline.Summary online = QuickstartOnline.run(workdir, offline, System.out);
    if (!online.auditPassed()) {
      System.err.println("the audit found online reads that differ from the offline values");
      return 1;
    }

    System.out.println();
    System.out.println("== where everything is ==");
    System.out.println("offline store:     " + offline + " (<group>/v<version>/date=YYYY-MM-DD/*.avro, published by _PUBLISHED)");
    System.out.println("validation:        " + backfill.validationOutput() + "/report.html (stats.pb, schema.pbtxt, anomalies.pbtxt per dataset)");
    System.out.println("blocked batch:     " + corrupted.validationOutput() + "/report.html");
    System.out.println("dead letters:      " + backfill.deadLetters() + " (each with its source, step, reason and raw record)");
    System.out.println("training set:      " + training + " (part-*.avro, training.avsc, features.json)");
    System.out.println("stream outputs:    " + workdir.resolve("stream") + " (dead letters, alerts)");
    System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
