package io.featurepipe.runners;

import io.featurepipe.pipelines.compute.BoundedFeatures;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code featurepipe quickstart}: the whole path on embedded defaults, on the bundled payments
 * sample: check the definitions, compute every feature group over two weeks of events on the
 * DirectRunner, and print a summary with example rows and where everything was written.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run featurepipe end to end on the bundled payments sample with embedded defaults",
      "(DirectRunner): plan the example feature repository, compute every feature group, and",
      "print a summary. Unknown options go to Beam (e.g. --runner=FlinkRunner --flinkMaster=[local])."
    })
final class QuickstartCommand implements Callable<Integer> {

  @Option(
      names = "--workdir",
      defaultValue = "featurepipe-quickstart",
      description = "Where the sample, the definitions and all outputs go (default: ${DEFAULT-VALUE}).")
  Path workdir;

  @Unmatched List<String> beamArgs = new ArrayList<>();

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
    System.out.println("-- 2. compute: every feature group over the sample (bounded)");
    Path out = workdir.resolve("compute");
    deleteTree(out);
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-quickstart");
    Pipeline p = Pipeline.create(options);
    BoundedFeatures.build(
        p, new BoundedFeatures.Spec(repo, data.toString(), null, null, List.of(), out.toString()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    RunSummary summary = RunSummary.of(result, repo);
    System.out.print(summary.render());

    System.out.println();
    System.out.println("example feature rows:");
    exampleRows(out.resolve("features/user_spend"), 3).forEach(r -> System.out.println("  " + r));
    System.out.println();
    System.out.println("feature rows: " + out.resolve("features"));
    System.out.println("dead letters: " + out.resolve("dead-letters") + " (each with its source, step, reason and raw record)");
    System.out.printf("done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private static List<String> exampleRows(Path dir, int n) throws Exception {
    List<String> rows = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
    for (Path f : files) {
      try (BufferedReader r = Files.newBufferedReader(f)) {
        String line;
        while (rows.size() < n && (line = r.readLine()) != null) {
          if (line.contains("\"group\":\"user_spend\"")) {
            rows.add(line);
          }
        }
      }
    }
    return rows;
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
