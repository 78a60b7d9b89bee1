package io.featurepipe.runners;

import io.featurepipe.pipelines.audit.AuditReport;
import io.featurepipe.pipelines.audit.OnlineAudit;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureRepository;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code featurepipe audit}: online reads against point-in-time offline values (DESIGN §3). */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Sample keys and times of the offline partitions --from..--to whose online reads are fresh and",
      "final (window end <= M - allowed lateness, within the online retention), read them online as of",
      "those times and compare every feature with the point-in-time offline value (the row at e(t), or",
      "the empty values). Prints the mismatches per feature with examples; exits 1 on any mismatch or",
      "when a group could not be audited."
    })
final class AuditCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--offline-root", required = true, paramLabel = "DIR", description = "Root of the offline store (folder or URL).")
  String offlineRoot;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day (partition) to sample.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day (inclusive).")
  LocalDate to;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Only these groups (default: every group online and offline).")
  List<String> groups = new ArrayList<>();

  @Option(names = "--samples", defaultValue = "100", description = "Samples per group (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin BigtableOptions store;

  @Override
  public Integer call() throws Exception {
    FeatureRepository repo;
    try {
      repo = RepositoryOption.load(repository);
    } catch (DefinitionException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    OnlineAudit audit = OnlineAudit.of(repo, offlineRoot, from, to).withSamples(samples).withSeed(seed);
    if (!groups.isEmpty()) {
      audit = audit.withGroups(groups);
    }
    AuditReport report;
    try (BigtableOptions.Store c = store.open()) {
      if (c.embedded()) {
        c.prepare(repo); // an empty store, audited as such
      }
      System.out.printf("audit of %s..%s: %d samples per group, seed %d, online store %s, offline store %s%n",
          from, to, samples, seed, c.target(), offlineRoot);
      report = audit.run(c.target(), c.retention());
    }
    System.out.print(report.render());
    return report.passed() ? 0 : 1;
  }
}
