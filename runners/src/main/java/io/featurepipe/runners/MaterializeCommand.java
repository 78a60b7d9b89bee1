package io.featurepipe.runners;

import com.google.cloud.bigtable.data.v2.BigtableDataClient;
import io.featurepipe.pipelines.materialize.Materialize;
import io.featurepipe.sinks.online.BigtableTarget;
import io.featurepipe.sinks.online.StoreMetadata;
import io.featurepipe.transforms.definitions.DefinitionException;
import io.featurepipe.transforms.model.FeatureGroupDef;
import io.featurepipe.transforms.model.FeatureRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
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

/** {@code featurepipe materialize}: published offline partitions of a range → the online store. */
@Command(
    name = "materialize",
    mixinStandardHelpOptions = true,
    description = {
      "Copy the published offline partitions of the days --from..--to (inclusive, UTC) into the",
      "online store, as the cells a stream would have written, then advance each group's",
      "watermark through the range. Where a stream is registered for a group, only the window",
      "ends before the stream's first one and final (<= watermark - allowed lateness) are",
      "written: run it for the days before the stream's start once the stream has passed them.",
      "Unknown options go to Beam (e.g. --runner=FlinkRunner --flinkMaster=[local])."
    })
final class MaterializeCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "REPO", description = "Folder of YAML feature definitions.")
  Path repository;

  @Option(names = "--from", required = true, paramLabel = "YYYY-MM-DD", description = "First day to materialize.")
  LocalDate from;

  @Option(names = "--to", required = true, paramLabel = "YYYY-MM-DD", description = "Last day to materialize (inclusive).")
  LocalDate to;

  @Option(names = "--offline-root", required = true, paramLabel = "DIR", description = "Root of the offline store (folder or URL).")
  String offlineRoot;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Only these feature groups (default: every group both offline and online).")
  List<String> groups = new ArrayList<>();

  @Option(
      names = "--dead-letters",
      paramLabel = "DIR",
      description = "Where rows the store refuses go (default: <offline-root>/_dead_letters/materialize-<from>-<to>).")
  String deadLetters;

  @Mixin BigtableOptions bigtable;

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
    PipelineOptions options = BeamArgs.parse(beamArgs, "featurepipe-materialize");
    Materialize.Spec spec;
    try (BigtableOptions.Store store = bigtable.open()) {
      spec = new Materialize.Spec(repo, offlineRoot, from, to, groups, store.target(), deadLetters);
      store.prepare(repo);
      run(spec, options, store.describe(), System.out);
    }
    return 0;
  }

  /** Runs a materialization and prints, per group, the cells written and the watermark before and after. */
  static PipelineResult run(Materialize.Spec spec, PipelineOptions options, String store, PrintStream out)
      throws IOException {
    FeatureRepository repo = spec.repository();
    List<String> groups = spec.chosenGroups();
    out.printf("materialize %s..%s of %s from %s into %s, runner %s%n",
        spec.from(), spec.to(), String.join(", ", groups), spec.offlineRoot(), store,
        options.getRunner().getSimpleName());
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    Map<String, StoreMetadata.GroupState> before = metadata(spec.target(), repo, groups);
    for (String g : groups) {
      Long s = before.get(g).streamStartMillis();
      if (s != null) {
        out.printf("  %s: a stream is registered (it read every event since %s); window ends from its first"
            + " owned one, or later than %s minus the allowed lateness, are left to it%n",
            g, Instant.ofEpochMilli(s), describe(before.get(g).watermarkMillis()));
      }
    }
    Pipeline p = Pipeline.create(options);
    Materialize.build(p, spec);
    PipelineResult result =
        PipelineRun.run(p, out, c -> String.format("%,d offline rows read, %,d cells written",
            c.getOrDefault("offline_rows_read", 0L), c.getOrDefault("online_cells_written", 0L)));
    Map<String, Long> counters = PipelineRun.counters(result);
    Map<String, StoreMetadata.GroupState> after = metadata(spec.target(), repo, groups);
    for (String g : groups) {
      out.printf("group  %-24s watermark %s -> %s%n", g + " " + repo.group(g).versionTag(),
          describe(before.get(g).watermarkMillis()), describe(after.get(g).watermarkMillis()));
    }
    out.printf("%,d offline rows read, %,d cells written, %,d rows left to a stream, %,d rows refused (dead letters under %s)%n",
        counters.getOrDefault("offline_rows_read", 0L), counters.getOrDefault("online_cells_written", 0L),
        counters.getOrDefault("online_rows_not_owned", 0L), counters.getOrDefault("dead_letters_online", 0L),
        spec.deadLetters());
    return result;
  }

  static Map<String, StoreMetadata.GroupState> metadata(BigtableTarget target, FeatureRepository repo, List<String> groups)
      throws IOException {
    List<FeatureGroupDef> defs = groups.stream().map(repo::group).toList();
    try (BigtableDataClient client = BigtableDataClient.create(target.dataSettings())) {
      return StoreMetadata.read(client, target.table(), defs);
    }
  }

  static String describe(Long millis) {
    return millis == null ? "none" : Instant.ofEpochMilli(millis).toString();
  }
}
