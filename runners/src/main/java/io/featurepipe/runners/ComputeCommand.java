package io.featurepipe.runners;

import io.featurepipe.pipelines.compute.BoundedFeatures;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.time.LocalDate;
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

/** {@code featurepipe compute}: a bounded feature computation over source files, written as JSON lines. */
@Command(
    name = "compute",
    mixinStandardHelpOptions = true,
    description = {
      "Compute the features of a repository over its sources' files (bounded) and write the rows",
      "as JSON lines, with dead letters beside them. Unknown options go to Beam (--runner=...)."
    })
final class ComputeCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--data-root", required = true, description = "Folder (or URL) the sources' bounded paths are relative to.")
  String dataRoot;

  @Option(names = "--output", required = true, description = "Output folder (or URL).")
  String output;

  @Option(names = "--from", description = "First day (YYYY-MM-DD) whose files are read; with --to.")
  LocalDate from;

  @Option(names = "--to", description = "Last day (YYYY-MM-DD, inclusive) whose files are read.")
  LocalDate to;

  @Option(names = "--groups", split = ",", description = "Only these feature groups.")
  List<String> groups = new ArrayList<>();

  @Unmatched List<String> beamArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if ((from == null) != (to == null)) {
      throw new IllegalArgumentException("--from and --to go together");
    }
    if (from != null && to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-compute");
    Pipeline p = Pipeline.create(options);
    BoundedFeatures.build(p, new BoundedFeatures.Spec(repo, dataRoot, from, to, groups, output));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    System.out.print(RunSummary.of(result, repo).render());
    System.out.println("feature rows: " + output + "/features/");
    System.out.println("dead letters: " + output + "/dead-letters/");
    return 0;
  }
}
