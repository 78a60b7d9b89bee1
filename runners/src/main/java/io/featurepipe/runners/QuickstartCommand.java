package io.featurepipe.runners;

import io.featurepipe.pipelines.backfill.Backfill;
import io.featurepipe.pipelines.training.SpineSource;
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
 * sample: check the definitions, backfill every feature group over the sample's two weeks into the
 * offline store on the DirectRunner, and print a summary with example rows and where everything
 * was written.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run featurepipe end to end on the bundled payments sample with embedded defaults",
      "(DirectRunner): plan the example feature repository, backfill every feature group into the",
      "offline store, and print a summary. Unknown options go to Beam (e.g. --runner=FlinkRunner --flinkMaster=[local])."
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
    System.out.println("-- 2. backfill: every feature group over the sample's days into the offline store");
    Path offline = workdir.resolve("offline");
    deleteTree(offline);
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-quickstart");
    Backfill.Spec backfill =
        new Backfill.Spec(
            repo, data.toString(), SAMPLE_FROM, SAMPLE_TO, List.of(), offline.toString(),
            WriteOffline.newRunId(), null);
    BackfillCommand.run(backfill, options, System.out);
    System.out.println();
    System.out.println("example offline rows (user_spend, " + SAMPLE_TO + "):");
    FeatureRowJson json = new FeatureRowJson(repo);
    new OfflineStore(repo, offline.toString())
        .rows("user_spend", SAMPLE_TO).stream()
        .limit(3)
        .forEach(r -> System.out.println("  " + json.toJson(r)));
    System.out.println();
    System.out.println("offline store: " + offline + " (<group>/v<version>/date=YYYY-MM-DD/*.avro, published by _PUBLISHED)");
    System.out.println("dead letters:  " + backfill.deadLetters() + " (each with its source, step, reason and raw record)");
    System.out.println();
    System.out.println("-- 3. training set: the sample spine (2,000 labelled payments) joined point in time");
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
